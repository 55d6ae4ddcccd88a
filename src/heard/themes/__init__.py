"""Theme discovery, labels and quotes."""

from heard.themes.discover import ThemeModel
from heard.themes.phrases import key_phrases, label_from_phrases

__all__ = ["ThemeModel", "key_phrases", "label_from_phrases"]
