"""Scripted students for the angry bakery owner, written for these web tests.

The expert asks one empathetic, open question per concern; the careless student fires closed,
jargon-heavy questions. Code: a correct solution and a plausible but wrong one (ignores the 7-day rule).
"""

from __future__ import annotations

SCENARIO = "angry_bakery_owner"

EXPERT = [
    "Thank you for making time, I can imagine this has been stressful. Could you tell me what you would be "
    "comfortable spending each month to keep the site running?",
    "I understand this matters to you. Could you tell me how far ahead your customers can place orders for pickup?",
    "That makes sense, thanks. Could you tell me who will keep the daily specials up to date, and how?",
    "I appreciate your patience. Could you tell me about any allergy or food-safety information the site needs "
    "to show?",
    "I hear you, thank you. Could you tell me how your regulars usually find you and look you up?",
]

CARELESS = [
    "Do you need the hosting costs exposed through a scalable backend API?",
    "Do you need the order cutoff exposed through a scalable backend API?",
    "Do you need the menu updates exposed through a scalable backend API?",
    "Do you need the allergen labels exposed through a scalable backend API?",
    "Do you need the mobile users exposed through a scalable backend API?",
]

GOOD_CODE = '''def accept_order(placed_day: int, placed_hour: int, pickup_day: int) -> bool:
    """Orders close at 2 pm the day before pickup and open at most 7 days ahead."""
    days_ahead = pickup_day - placed_day
    if days_ahead < 1 or days_ahead > 7:
        return False
    return days_ahead > 1 or placed_hour < 14
'''

WEAK_CODE = '''def accept_order(placed_day, placed_hour, pickup_day):
    if pickup_day - placed_day < 1:
        return False
    return pickup_day - placed_day > 1 or placed_hour < 14
'''
