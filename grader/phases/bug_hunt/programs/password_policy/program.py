"""Check a new password against the council's password policy and explain every rule it breaks."""

MIN_LENGTH = 12
SYMBOLS = "!@#$%^&*()-_=+[]{};:,.?/"
LOOK_ALIKES = {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}


def length_problem(password):
    """A message if the password is too short, otherwise an empty string."""
    if len(password) < MIN_LENGTH:
        return "use at least " + str(MIN_LENGTH) + " characters (this has " + str(len(password)) + ")"
    return ""


def missing_kinds(password):
    """The kinds of character the password lacks, in the order the form lists them."""
    missing = []
    if not any(ch.islower() for ch in password):
        missing.append("a lower-case letter")
    if not any(ch.isupper() for ch in password):
        missing.append("a capital letter")
    if not any(ch.isdigit() for ch in password):
        missing.append("a digit")
    if not any(ch in SYMBOLS for ch in password):
        missing.append("a symbol")
    return missing


def longest_repeat(password):
    """Length of the longest run of one repeated character: 'baaad' has a run of 3."""
    if len(password) < 2:
        return len(password)
    longest = current = 1
    for i in range(1, len(password)):
        if password[i] == password[i - 1]:
            current += 1
            longest = max(longest, current)
        else:
            current = 1
    return longest


def has_sequence(password, length):
    """True if `length` characters in a row climb one at a time, like 'abc' or '789'."""
    text = password.lower()
    run = 1
    for i in range(1, len(text)):
        if ord(text[i]) - ord(text[i - 1]) == 1:
            run += 1
            if run >= length:
                return True
        else:
            run = 1
    return False


def is_common(password, blocklist):
    """True if the password, with look-alike characters undone ('p@ssw0rd'), contains a blocked word.

    Words shorter than four letters are too short to block on their own.
    """
    plain = "".join(LOOK_ALIKES.get(ch, ch) for ch in password.lower())
    return any(len(word) >= 4 and word in plain for word in blocklist)


def mentions_user(password, user):
    """True if the password contains the user's first name or the part of their email before the @."""
    lowered = password.lower()
    clues = [user.get("first_name", "").lower(), user.get("email", "").split("@")[0].lower()]
    return any(len(clue) >= 3 and clue in lowered for clue in clues)


def explain(problems):
    """The sentence shown under the password box: 'OK', or every problem found."""
    count = len(problems)
    if count:
        noun = "problem" if count == 1 else "problems"
        return "Password rejected (" + str(count) + " " + noun + "): " + "; ".join(problems) + "."
    return "OK"


if __name__ == "__main__":
    password = "P@ssw0rd1234"
    user = {"first_name": "Sam", "email": "sam.jones@example.org"}
    problems = [length_problem(password)] + missing_kinds(password)
    if is_common(password, ["password", "letmein"]) or mentions_user(password, user):
        problems.append("choose something harder to guess")
    print(explain([p for p in problems if p]), longest_repeat(password), has_sequence(password, 4))
