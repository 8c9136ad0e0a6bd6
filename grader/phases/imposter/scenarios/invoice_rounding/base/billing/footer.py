"""The small print at the bottom of every invoice."""

COMPANY = "Northlight Studio Ltd"
BANK_ACCOUNT = "IBAN GB29 NWBK 6016 1331 9268 19"
VAT_NUMBER = "GB 123 4567 89"


def footer():
    return f"{COMPANY} · {BANK_ACCOUNT} · VAT {VAT_NUMBER}"
