"""Check a school timetable for clashes before it goes out to staff.

A lesson is a dict with an "id" (like '7B Maths'), a "day" ('Mon'..'Fri'), a "room" number, a
"teacher", and "start"/"end" times in minutes since midnight.
"""

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]
MIN_FREE_PERIOD = 30  # minutes; shorter gaps are just changeover time


def to_minutes(clock):
    """Minutes since midnight for a time written as '09:30'."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def room_clashes(lessons):
    """Pairs of lesson ids booked into the same room at overlapping times on the same day."""
    clashes = []
    for i in range(len(lessons)):
        first = lessons[i]
        for second in lessons[i + 1:]:
            if first["room"] != second["room"] or first["day"] != second["day"]:
                continue
            if first["start"] < second["end"] and second["start"] < first["end"]:
                clashes.append([first["id"], second["id"]])
    return clashes


def double_booked_teachers(lessons):
    """Sorted names of teachers who are due in two lessons at once somewhere in the week."""
    by_teacher_and_day = {}
    for lesson in lessons:
        key = (lesson["teacher"], lesson["day"])
        by_teacher_and_day.setdefault(key, []).append(lesson)
    names = set()
    for (teacher, _day), day_lessons in by_teacher_and_day.items():
        day_lessons.sort(key=lambda lesson: lesson["start"])
        for k in range(1, len(day_lessons)):
            if day_lessons[k]["start"] < day_lessons[k - 1]["end"]:
                names.add(teacher)
    return sorted(names)


def free_periods(lessons, day, day_start, day_end):
    """Gaps of at least MIN_FREE_PERIOD minutes in one class's day, as [start, end] pairs."""
    busy = sorted([lesson["start"], lesson["end"]] for lesson in lessons if lesson["day"] == day)
    gaps = []
    cursor = day_start
    for start, end in busy:
        if start - cursor >= MIN_FREE_PERIOD:
            gaps.append([cursor, start])
        cursor = max(cursor, end)
    if day_end - cursor >= MIN_FREE_PERIOD:
        gaps.append([cursor, day_end])
    return gaps


def busiest_day(lessons):
    """The weekday with the most minutes of teaching; the earlier day wins a tie. None if empty."""
    if not lessons:
        return None
    totals = {}
    for lesson in sorted(lessons, key=lambda lesson: DAYS.index(lesson["day"])):
        totals[lesson["day"]] = totals.get(lesson["day"], 0) + lesson["end"] - lesson["start"]
    return max(totals, key=totals.get)


def describe_clash(first, second):
    """Message for the timetabler, e.g. 'Room 12, Mon: 7B Maths overlaps 9C Art by 15 minutes'."""
    overlap = min(first["end"], second["end"]) - max(first["start"], second["start"])
    place = "Room " + str(first["room"]) + ", " + first["day"]
    return place + ": " + first["id"] + " overlaps " + second["id"] + " by " + str(overlap) + " minutes"


if __name__ == "__main__":
    week = [
        {"id": "7B Maths", "day": "Mon", "room": 12, "teacher": "Ms Roy", "start": 540, "end": 600},
        {"id": "9C Art", "day": "Mon", "room": 12, "teacher": "Mr Lee", "start": 585, "end": 645},
    ]
    print(room_clashes(week), double_booked_teachers(week), busiest_day(week))
    print(describe_clash(week[0], week[1]), free_periods(week, "Mon", to_minutes("08:45"), 900))
