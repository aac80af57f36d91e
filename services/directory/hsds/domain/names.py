"""Display names for the codes the listing model stores (languages, US states, insurance plans)."""

from __future__ import annotations

LANGUAGES: dict[str, str] = {
    "ar": "Arabic",
    "ase": "American Sign Language",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "hi": "Hindi",
    "ko": "Korean",
    "pl": "Polish",
    "ru": "Russian",
    "tl": "Tagalog",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}

_STATES = (
    "AL=Alabama AK=Alaska AZ=Arizona AR=Arkansas CA=California CO=Colorado CT=Connecticut "
    "DE=Delaware DC=District_of_Columbia FL=Florida GA=Georgia HI=Hawaii ID=Idaho "
    "IL=Illinois IN=Indiana IA=Iowa KS=Kansas KY=Kentucky LA=Louisiana ME=Maine "
    "MD=Maryland MA=Massachusetts MI=Michigan MN=Minnesota MS=Mississippi MO=Missouri "
    "MT=Montana NE=Nebraska NV=Nevada NH=New_Hampshire NJ=New_Jersey NM=New_Mexico "
    "NY=New_York NC=North_Carolina ND=North_Dakota OH=Ohio OK=Oklahoma OR=Oregon "
    "PA=Pennsylvania RI=Rhode_Island SC=South_Carolina SD=South_Dakota TN=Tennessee "
    "TX=Texas UT=Utah VT=Vermont VA=Virginia WA=Washington WV=West_Virginia "
    "WI=Wisconsin WY=Wyoming PR=Puerto_Rico"
)
US_STATES: dict[str, str] = {
    code: name.replace("_", " ") for code, name in (pair.split("=") for pair in _STATES.split())
}

INSURANCE_PLANS: dict[str, str] = {
    "aetna": "Aetna",
    "bcbs-il": "Blue Cross and Blue Shield of Illinois",
    "cigna": "Cigna",
    "humana": "Humana",
    "medicare": "Medicare",
    "tricare": "TRICARE",
    "uhc": "UnitedHealthcare",
}


def language_name(code: str) -> str:
    """English name of a BCP 47 tag's language ("es-MX" -> "Spanish"); the tag when unknown."""
    return LANGUAGES.get(primary_subtag(code), code)


def primary_subtag(code: str) -> str:
    """The ISO 639 part of a BCP 47 tag, which is what HSDS ``language.code`` asks for."""
    return code.split("-", 1)[0].lower()


def state_name(code: str) -> str:
    return US_STATES.get(code.upper(), code)


def plan_name(plan_id: str) -> str:
    return INSURANCE_PLANS.get(plan_id, plan_id)
