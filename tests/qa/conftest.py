"""Fixtures shared by the tests of qa/."""
from __future__ import annotations

import pytest

from qa.evidence import SimpleTokenizer


@pytest.fixture(scope="module", params=["simple", "jieba"])
def tokenizer(request):
    """The dependency-free tokenizer and the real jieba one from vectorstore."""
    if request.param == "simple":
        return SimpleTokenizer()
    return request.getfixturevalue("word_tokenizer")
