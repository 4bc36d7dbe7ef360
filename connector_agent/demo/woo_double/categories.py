"""A plausible shop category for a product name (the source data has none).

The head noun of a gift-ware product name is usually its last word ("PINK CHERRY LIGHTS",
"JUMBO BAG RED RETROSPOT"), so the words are scanned from the end and the first known noun picks
the category. Deterministic and per name, so a slice and the whole file agree.
"""

from __future__ import annotations

FALLBACK = "Gifts"

_NOUNS: dict[str, tuple[str, ...]] = {
    "Candles & Lights": (
        "CANDLE",
        "T-LIGHT",
        "LIGHT",
        "LANTERN",
        "LAMP",
        "LAMPSHADE",
        "CANDLEHOLDER",
        "NIGHTLIGHT",
        "TEALIGHT",
    ),
    "Bags": ("BAG", "HANDBAG", "WASHBAG", "PURSE", "SHOPPER", "TOTE", "BACKPACK", "RUCKSACK"),
    "Jewellery": (
        "NECKLACE",
        "BRACELET",
        "RING",
        "EARRING",
        "CHARM",
        "BEAD",
        "BROOCH",
        "HAIRCLIP",
        "BANGLE",
        "PENDANT",
    ),
    "Kitchen & Dining": (
        "MUG",
        "CUP",
        "BOWL",
        "PLATE",
        "DISH",
        "SAUCER",
        "TEAPOT",
        "CUTLERY",
        "APRON",
        "NAPKIN",
        "COASTER",
        "TRAY",
        "TIN",
        "JAR",
        "BOTTLE",
        "GLASS",
        "JUG",
        "SPOON",
        "TEACUP",
        "PLACEMAT",
        "OVEN",
        "GLOVE",
        "TUMBLER",
        "CAKESTAND",
        "LUNCHBOX",
        "BEAKER",
        "CHOPSTICK",
    ),
    "Christmas & Decorations": (
        "DECORATION",
        "GARLAND",
        "BUNTING",
        "ORNAMENT",
        "BAUBLE",
        "BELL",
        "WREATH",
        "TREE",
        "HEART",
        "STAR",
        "ANGEL",
        "BALL",
        "CHRISTMAS",
        "EASTER",
        "BIRD",
        "BUTTERFLY",
        "FLOWER",
        "ROSE",
        "CHICK",
    ),
    "Stationery & Cards": (
        "CARD",
        "NOTEBOOK",
        "STICKER",
        "WRAP",
        "TAPE",
        "PEN",
        "PENCIL",
        "BOOK",
        "ALBUM",
        "LETTER",
        "PAPER",
        "TAG",
        "RIBBON",
        "ENVELOPE",
        "NOTEPAD",
        "ERASER",
        "CRAYON",
        "CHALK",
        "DIARY",
        "CALENDAR",
    ),
    "Storage": (
        "BOX",
        "BASKET",
        "BUCKET",
        "CABINET",
        "CONTAINER",
        "CASE",
        "DRAWER",
        "RACK",
        "HOOK",
        "HANGER",
        "STAND",
        "CRATE",
        "TRUNK",
        "CADDY",
    ),
    "Home Decor": (
        "FRAME",
        "MIRROR",
        "CLOCK",
        "CUSHION",
        "COVER",
        "CURTAIN",
        "DOORSTOP",
        "THERMOMETER",
        "DOORMAT",
        "VASE",
        "SIGN",
        "PLAQUE",
        "MAGNET",
        "CHAIR",
        "STOOL",
        "TABLE",
        "SHELF",
        "DOORKNOB",
        "KNOB",
        "BLANKET",
        "THROW",
        "QUILT",
    ),
    "Toys & Games": (
        "TOY",
        "GAME",
        "KIT",
        "PUZZLE",
        "DOLL",
        "JIGSAW",
        "SPACEBOY",
        "SOLDIER",
        "DOMINOES",
        "SKITTLES",
        "RABBIT",
        "BUNNY",
        "TEDDY",
        "BEAR",
        "DINOSAUR",
    ),
    "Garden & Outdoor": (
        "GARDEN",
        "PARASOL",
        "UMBRELLA",
        "HAMMOCK",
        "POT",
        "PLANTER",
        "WATERING",
        "FEEDER",
        "BIRDHOUSE",
        "WINDMILL",
    ),
    "Party": ("NAPKINS", "BALLOON", "PARTY", "CONFETTI", "STRAW", "CAKE", "CRACKER"),
}
_LOOKUP = {noun: category for category, nouns in _NOUNS.items() for noun in nouns}
CATEGORIES = (*sorted(_NOUNS), FALLBACK)


def _singular(word: str) -> str:
    if word.endswith("IES") and len(word) > 4:
        return word[:-3] + "Y"
    if word.endswith(("XES", "SHES", "CHES")):
        return word[:-2]
    if word.endswith("S") and not word.endswith("SS") and len(word) > 3:
        return word[:-1]
    return word


def category_for(name: str) -> str:
    """The category of a product name, e.g. ``"PINK CHERRY LIGHTS"`` → ``"Candles & Lights"``.

    >>> category_for("JUMBO BAG RED RETROSPOT"), category_for("SET OF 3 CAKE TINS PANTRY DESIGN")
    ('Bags', 'Kitchen & Dining')
    """
    for word in reversed(name.upper().replace(",", " ").replace("/", " ").split()):
        for candidate in (word, _singular(word)):
            if candidate in _LOOKUP:
                return _LOOKUP[candidate]
    return FALLBACK
