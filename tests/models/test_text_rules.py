import pytest

from models.language import detect_language
from models.substance import is_substantive


@pytest.mark.parametrize(
    "text",
    [
        "nice!",
        "first",
        "+1",
        "🔥🔥🔥",
        "@NorthwindCoffee",
        "#MondayMotivation",
        "@a @b 👀",
        "https://t.co/x1",
        "Love it!!",
        "so cute 😍",
        "ok ok",
        "Thank you!",
        "lol",
        "   ",
    ],
)
def test_low_effort_texts_are_not_substantive(text):
    assert is_substantive(text) is False


@pytest.mark.parametrize(
    "text",
    [
        "Love it, ordering another one for my sister",
        "@LumenBikes does the Commuter fit a child seat?",
        "Delivery took 12 days.",
        "Refund please",
        "Das ist wirklich ein tolles Produkt",
    ],
)
def test_texts_that_say_something_are_substantive(text):
    assert is_substantive(text) is True


def test_missing_text_has_no_substance_or_language():
    assert is_substantive(None) is None
    assert detect_language(None) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The delivery was late again and nobody answered my emails", "en"),
        ("Das ist wirklich ein tolles Produkt, ich bin begeistert", "de"),
        ("Me encanta este café, lo recomiendo a todos mis amigos", "es"),
        ("Je déteste attendre si longtemps pour ma commande", "fr"),
        ("😂😂😂", "und"),
        ("@NorthwindCoffee #coffee", "und"),
    ],
)
def test_language_detection(text, language):
    assert detect_language(text) == language
