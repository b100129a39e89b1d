from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.names import (
    char_script,
    dominant_script,
    katakana_to_english,
    katakana_to_hangul,
    mmsi_country,
    normalize,
    normalize_bic,
    normalize_id,
    normalize_imo,
    normalize_lei,
    normalize_mmsi,
    normalize_passport,
    org_tokens,
    to_latin,
    tokens,
)
from vigil.names.orgs import canonical_legal_form, org_core_keys


def test_tokens() -> None:
    assert tokens("Mr. MUN CHO'NG-CH'O'L") == ["mun", "chong", "chol"]
    assert tokens("General KIM Yong Chol") == ["kim", "yong", "chol"]
    assert tokens("Ch’oe Ch’un-yo’ng") == ["choe", "chun", "yong"]
    assert tokens("김정은 동지") == ["김정은"]
    assert tokens("General") == ["general"]
    assert tokens("") == [] and tokens(None) == []
    assert normalize("  ＫＩＭ  ") == "kim"


def test_scripts() -> None:
    assert char_script("김") == "Hang"
    assert char_script("金") == "Hani"
    assert char_script("キ") == "Kana"
    assert char_script("ж") == "Cyrl"
    assert char_script("1") is None
    assert dominant_script("キム・ジョンウン") == "Kana"
    assert to_latin("Ким Чен Ын") == "Kim Chen Yn"
    assert to_latin("金正恩") == "kimjongun"
    assert to_latin("김정은") == "kimjongun"


def test_katakana() -> None:
    assert katakana_to_english("コリア・マイニング・デベロップメント・トレーディング・コーポレーション") == (
        "korea mining development trading corporation"
    )
    assert katakana_to_english("コリア・ゼネラル", fallback=False) == "korea general"
    assert katakana_to_english("ノンワード", fallback=False) is None
    assert katakana_to_hangul("リ・ビョンチョル") == "리 병철"


def test_orgs() -> None:
    komid = org_tokens("KOREA MINING DEVELOPMENT TRADING CORPORATION")
    assert komid.legal == ("corporation",)
    for other in (
        "조선광업개발무역회사",
        "朝鮮鉱業開発貿易会社",
        "DPRK Mining Development Trading Co., Ltd.",
    ):
        assert set(org_tokens(other).core) == set(komid.core), other
    assert org_tokens("SIS d.o.o.").core == org_tokens("SIS DOO").core == ("sis",)
    assert org_tokens("OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)").parenthetical == ("omm",)
    assert canonical_legal_form("Co., Ltd.") == "company limited"
    assert canonical_legal_form("有限公司") == "company limited"
    assert org_core_keys("Singwang Economics") == org_core_keys("Shingwang Economics")


def test_identifiers() -> None:
    assert normalize_imo("IMO 8712362") == "8712362"
    assert normalize_imo("8712363") is None
    assert normalize_imo("IMO 871236") is None
    assert normalize_mmsi("445 123 456") == "445123456"
    assert normalize_mmsi("44512345") is None
    assert mmsi_country("445123456") == "kp"
    assert mmsi_country("351000000") == "pa"
    assert normalize_bic("kdbk kp py") == "KDBKKPPY"
    assert normalize_bic("KDBKKPPYXXX") == "KDBKKPPYXXX"
    assert normalize_bic("KDBKZZPY") is None
    assert normalize_bic("KDBKKPP") is None
    lei = _make_lei("5493001KJTIIGC8Y1R")
    assert normalize_lei(lei.lower()) == lei
    assert normalize_lei(lei[:-1] + str((int(lei[-1]) + 1) % 10)) is None
    assert normalize_passport("PS 472330208") == "PS472330208"
    assert normalize_passport("12") is None
    assert normalize_id("no digits") is None


def _make_lei(base: str) -> str:
    number = int("".join(str(int(ch, 36)) for ch in base + "00"))
    return f"{base}{98 - number % 97:02d}"


_FUNCS = [
    normalize,
    tokens,
    to_latin,
    dominant_script,
    org_tokens,
    org_core_keys,
    katakana_to_english,
    katakana_to_hangul,
    normalize_imo,
    normalize_mmsi,
    mmsi_country,
    normalize_bic,
    normalize_lei,
    normalize_id,
    normalize_passport,
    canonical_legal_form,
]


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), st.none()))
def test_no_normalizer_raises(text: str | None) -> None:
    for func in _FUNCS:
        func(text)  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("김정은리병철金正恩李キムジョンウン・ー-' ’abcKIMJONG1234()ДжЯ"),
        max_size=30,
    )
)
def test_no_normalizer_raises_on_mixed_scripts(text: str) -> None:
    for func in _FUNCS:
        func(text)  # type: ignore[operator]
