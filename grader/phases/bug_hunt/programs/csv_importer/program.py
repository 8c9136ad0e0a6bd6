"""Import customer rows exported as CSV by the shop's old till system.

The till writes a header line first. Values never contain commas, but it drops empty fields at the
end of a line, so short lines are padded before they are checked.
"""

import re

MAX_AGE = 120


def parse_rows(text):
    """Turn CSV text into one dict per data line, keyed by the lower-cased header names."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = [name.strip().lower() for name in lines[0].split(",")]
    rows = []
    for line in lines[1:]:
        values = [value.strip() for value in line.split(",")]
        rows.append({name: values[i] if i < len(values) else "" for i, name in enumerate(header)})
    return rows


def validate_row(row, line_number):
    """List what is wrong with one customer row; an empty list means it can be imported."""
    where = "line " + str(line_number) + ": "
    problems = []
    if not row.get("name", "").strip():
        problems.append(where + "name is missing")
    email = row.get("email", "")
    domain = email.rpartition("@")[2]
    if email.count("@") != 1 or "." not in domain:
        problems.append(where + "email '" + email + "' is not valid")
    age = row.get("age", "")
    if not age.isdigit():
        problems.append(where + "age must be a whole number")
    elif int(age) > MAX_AGE:
        problems.append(where + "age " + age + " is over " + str(MAX_AGE))
    return problems


def normalise_phone(text):
    """A UK phone number as its 11 digits from the leading 0 ('+44 7700 900123' -> '07700900123').

    Returns '' for anything that cannot be a UK number.
    """
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.strip().startswith("+44"):
        digits = "0" + digits[2:]
    return digits if re.fullmatch(r"0\d{10}", digits) else ""


def to_record(row):
    """Build the stored record from a valid row: tidy name, lower-case email, age and age band."""
    name = " ".join(word.capitalize() for word in row["name"].split())
    age = int(row["age"])
    band = age // 10 * 10
    age_band = str(band) + "-" + str(band + 9)
    return {"name": name, "email": row["email"].strip().lower(), "age": age, "age_band": age_band}


def count_domains(emails):
    """Count customers per email domain, most common first, ties in alphabetical order."""
    counts = {}
    for email in emails:
        if "@" not in email:
            continue
        domain = email.split("@")[1].strip().lower()
        counts[domain] = counts.get(domain, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [[domain, count] for domain, count in ranked]


def import_summary(accepted, rejected_lines):
    """One line for the import log, e.g. 'imported 3 of 4 rows (75%); rejected lines 5'."""
    total = accepted + len(rejected_lines)
    if not total:
        return "nothing to import"
    percent = round(100 * accepted / total)
    summary = "imported " + str(accepted) + " of " + str(total) + " rows (" + str(percent) + "%)"
    if rejected_lines:
        summary += "; rejected lines " + ", ".join(str(n) for n in sorted(rejected_lines))
    return summary


if __name__ == "__main__":
    sample = "name,email,age,phone\nana de souza,Ana@Example.com,34,+44 7700 900123\nBen,ben.example.com,x\n"
    for number, row in enumerate(parse_rows(sample), start=2):
        print(validate_row(row, number) or to_record(row), normalise_phone(row["phone"]))
