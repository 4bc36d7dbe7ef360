"""Recommenders: popular/trending, co-purchase, buy again, personalised MF, alike names, recent
baskets (and their buyers), and the blend."""

from online_models.recommend.base import SOURCES, Recommendation
from online_models.recommend.baskets import RecentBaskets
from online_models.recommend.copurchase import CoPurchase
from online_models.recommend.first_baskets import FirstBaskets
from online_models.recommend.learned import LearnedBlend
from online_models.recommend.names import NameIndex
from online_models.recommend.personal import PersonalMF
from online_models.recommend.popular import Popularity
from online_models.recommend.ranker import Ranker
from online_models.recommend.repeat import RepeatPurchases

__all__ = [
    "SOURCES",
    "CoPurchase",
    "FirstBaskets",
    "LearnedBlend",
    "NameIndex",
    "PersonalMF",
    "Popularity",
    "Ranker",
    "RecentBaskets",
    "Recommendation",
    "RepeatPurchases",
]
