"""Summaries for a teacher's gradebook: marks as percentages, averages, grades and class rankings."""

import math

GRADE_BOUNDARIES = [(90, "A"), (80, "B"), (70, "C"), (60, "D")]  # lowest percentage for each letter


def parse_mark(text):
    """Percentage for a mark written as '17/20', to two decimals. A test out of 0 counts as 0."""
    got, out_of = (int(part) for part in text.split("/"))
    if not out_of:
        return 0.0
    return round(100 * got / out_of, 2)


def average(marks):
    """Mean of a student's marks to two decimals; a student with no marks yet averages 0."""
    if not marks:
        return 0.0
    return round(sum(marks) / len(marks), 2)


def letter_grade(percent):
    """Letter for a percentage: 90 and above is an A, 80 a B, 70 a C, 60 a D, anything lower an F."""
    for lowest, letter in GRADE_BOUNDARIES:
        if percent >= lowest:
            return letter
    return "F"


def weighted_mean(marks, weights):
    """Course mark where each mark counts by its weight (say the exam 60 and coursework 40)."""
    total_weight = sum(weights)
    if not total_weight:
        return 0.0
    total = sum(mark * weight for mark, weight in zip(marks, weights, strict=True))
    return round(total / total_weight, 2)


def top_students(students, count):
    """Names of the `count` students with the best average; equal averages go in name order.

    `students` maps each name to a list of marks. Students with no marks are left out.
    """
    ranked = []
    for name, marks in students.items():
        if marks:
            ranked.append([sum(marks) / len(marks), name])
    ranked.sort(key=lambda pair: (-pair[0], pair[1]))
    return [name for _average, name in ranked[:count]]


def most_improved(results):
    """Student whose mark rose most from one term to the next; rows are [name, first, second].

    The first of several equal risers is chosen. None for an empty class.
    """
    if not results:
        return None
    best_name, best_gain = results[0][0], results[0][2] - results[0][1]
    for name, first, second in results[1:]:
        gain = second - first
        if gain > best_gain:
            best_name, best_gain = name, gain
    return best_name


def histogram(percents, width):
    """Count marks in bands `width` points wide, e.g. {'60-69': 2, '70-79': 1}; empty bands are left out."""
    bands = {}
    for percent in percents:
        low = math.floor(percent / width) * width
        label = str(low) + "-" + str(low + width - 1)
        bands[label] = bands.get(label, 0) + 1
    return bands


if __name__ == "__main__":
    marks = [parse_mark(text) for text in ["17/20", "31/40", "9/10"]]
    print(marks, average(marks), letter_grade(average(marks)), histogram(marks, 10))
    print(top_students({"Ana": marks, "Ben": [72.5, 64.0], "Cy": []}, 2))
