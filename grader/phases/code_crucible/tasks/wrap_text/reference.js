'use strict';
// Wraps a museum label's text into lines that fit the label printer's card.

const WHITESPACE = /[ \t\n\r]+/;

/**
 * The word cut into pieces of width characters (the last piece may be shorter).
 * @param {string} word
 * @param {number} width
 * @returns {string[]}
 */
function splitLongWord(word, width) {
  // >>> TODO: cut the word every width characters
  const pieces = [];
  for (let start = 0; start < word.length; start += width) {
    pieces.push(word.slice(start, start + width));
  }
  return pieces;
  // <<<
}

/**
 * The words of the text, with every word longer than width already cut into pieces.
 * @param {string} text
 * @param {number} width
 * @returns {string[]}
 */
function wordsOf(text, width) {
  return text
    .split(WHITESPACE)
    .filter((word) => word !== '')
    .flatMap((word) => splitLongWord(word, width));
}

/**
 * Greedy wrapping: each line takes as many words as fit, with single spaces between them.
 * @param {string} text
 * @param {number} width
 * @returns {string[]}
 */
function wrapText(text, width) {
  if (width < 1) return [];
  const lines = [];
  let current = [];
  let currentLength = 0;
  for (const word of wordsOf(text, width)) {
    // >>> TODO: start a new line when the word does not fit after the current line's words
    if (current.length > 0 && currentLength + 1 + word.length > width) {
      lines.push(current.join(' '));
      current = [];
      currentLength = 0;
    }
    currentLength += word.length + (current.length > 0 ? 1 : 0);
    current.push(word);
    // <<<
  }
  if (current.length > 0) lines.push(current.join(' '));
  return lines;
}

module.exports = { wrapText };
