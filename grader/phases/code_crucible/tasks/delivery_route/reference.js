'use strict';
// The fastest delivery route across town: Dijkstra's algorithm on two-way roads.

/** A binary min-heap of [minutes, place] pairs, ordered by minutes. */
class MinHeap {
  constructor() {
    this.items = [];
  }

  get size() {
    return this.items.length;
  }

  push(item) {
    const { items } = this;
    items.push(item);
    let child = items.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (items[parent][0] <= items[child][0]) break;
      [items[parent], items[child]] = [items[child], items[parent]];
      child = parent;
    }
  }

  pop() {
    const { items } = this;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0) {
      items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  siftDown(start) {
    const { items } = this;
    let parent = start;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < items.length && items[left][0] < items[smallest][0]) smallest = left;
      if (right < items.length && items[right][0] < items[smallest][0]) smallest = right;
      if (smallest === parent) return;
      [items[parent], items[smallest]] = [items[smallest], items[parent]];
      parent = smallest;
    }
  }
}

/**
 * For each place, the quickest open road to each neighbour; closed roads are left out.
 * @param {Array<[string, string, number]>} roads
 * @returns {Map<string, Map<string, number>>}
 */
function buildMap(roads) {
  const neighbours = new Map();
  for (const [first, second, minutes] of roads) {
    if (minutes < 0) continue;
    // >>> TODO: keep the quickest road between the two places, in both directions
    for (const [here, there] of [[first, second], [second, first]]) {
      if (!neighbours.has(here)) neighbours.set(here, new Map());
      const known = neighbours.get(here);
      known.set(there, Math.min(minutes, known.has(there) ? known.get(there) : minutes));
    }
    // <<<
  }
  return neighbours;
}

/**
 * Minutes from start to every reachable place, and the place each one is best reached from.
 * @param {Map<string, Map<string, number>>} neighbours
 * @param {string} start
 * @returns {{best: Map<string, number>, previous: Map<string, string>}}
 */
function shortestTimes(neighbours, start) {
  const best = new Map([[start, 0]]);
  const previous = new Map();
  const queue = new MinHeap();
  queue.push([0, start]);
  // >>> TODO: settle the closest unsettled place, then try every road out of it
  while (queue.size > 0) {
    const [minutes, place] = queue.pop();
    if (minutes > best.get(place)) continue;
    for (const [neighbour, roadMinutes] of neighbours.get(place) || []) {
      const arrival = minutes + roadMinutes;
      if (!best.has(neighbour) || arrival < best.get(neighbour)) {
        best.set(neighbour, arrival);
        previous.set(neighbour, place);
        queue.push([arrival, neighbour]);
      }
    }
  }
  // <<<
  return { best, previous };
}

/**
 * The places from start to goal, following each place back to where it was reached from.
 * @param {Map<string, string>} previous
 * @param {string} start
 * @param {string} goal
 * @returns {string[]}
 */
function tracePath(previous, start, goal) {
  // >>> TODO: walk back from the goal to the start, then reverse
  const path = [goal];
  while (path[path.length - 1] !== start) {
    path.push(previous.get(path[path.length - 1]));
  }
  return path.reverse();
  // <<<
}

/**
 * The quickest route as {minutes, path}, or null when goal cannot be reached from start.
 * @param {Array<[string, string, number]>} roads [place, place, minutes], two-way
 * @param {string} start
 * @param {string} goal
 * @returns {{minutes: number, path: string[]}|null}
 */
function fastestRoute(roads, start, goal) {
  const { best, previous } = shortestTimes(buildMap(roads), start);
  if (!best.has(goal)) return null;
  return { minutes: best.get(goal), path: tracePath(previous, start, goal) };
}

module.exports = { fastestRoute };
