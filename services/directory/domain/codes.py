"""Code lists the directory validates against: ISO 639 languages and USPS state codes."""

from __future__ import annotations

# ISO 639-1 two-letter codes, plus ISO 639-3 codes for languages common among US patients that
# have no two-letter code (Cantonese, Hmong, Filipino, Haitian Creole uses "ht").
ISO_639 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
    hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
    lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
    or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
    ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    yue hmn fil ase""".split()
)

US_STATES = frozenset(
    """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH
    NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP""".split()
)


def known_language(tag: str) -> bool:
    """A BCP 47 tag whose primary language subtag is a known ISO 639 code ("es", "es-MX")."""
    return tag.split("-", 1)[0].lower() in ISO_639
