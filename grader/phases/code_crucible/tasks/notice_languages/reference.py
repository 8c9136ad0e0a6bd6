"""A notice for the tenants, filled in from the landlord's templates."""

import re

BLANK = re.compile(r"\{([A-Z0-9_]+)\}")


def fill_blanks(template: str, values: dict[str, str]) -> str:
    """The template with every {NAME} that has a value replaced by it, in one pass."""
    # >>> TODO: replace every {NAME} that has a value; leave the others as written
    return BLANK.sub(lambda match: values.get(match.group(1), match.group(0)), template)
    # <<<


def texts_by_language(templates: dict[str, str]) -> dict[str, str]:
    """Each language's template, trimmed, by lower-case code: blank ones do not count, the first one wins."""
    texts: dict[str, str] = {}
    # >>> TODO: keep the first non-blank template of each lower-case language code, trimmed
    for code, text in templates.items():
        if text.strip():
            texts.setdefault(code.lower(), text.strip())
    # <<<
    return texts


def tenant_notice(templates: dict[str, str], values: dict[str, str]) -> str:
    """The notice to send: one block per language, "[CODE] text", one block per line."""
    texts = texts_by_language(templates)
    # >>> TODO[three_languages]: English, Spanish then Polish, the English text standing in for a missing one
    # || put every language and its text into blocks, in alphabetical order of the code
    english = texts.get("en", "")
    blocks = [(code, texts.get(code) or english) for code in ("en", "es", "pl")]
    # <<<
    return "\n".join(f"[{code.upper()}] {fill_blanks(text, values)}" for code, text in blocks if text)
