"""Links that reproduce a setup: a Config plus the preset, the language and the panels shown, as URL query
parameters, and back.

Every flat config key is its own parameter, spelled as the CLI's `--set` keys (`lr_d=0.0001`); floats are
written with repr(), so a link gives back the very same numbers. A small point set (dataset=custom) travels
as `points`: coordinates rounded to 0.01, int16, zlib, base64url. Decoding never raises: a value that is
unknown, malformed or out of range is left out and a note names it and says what is allowed (the text of
gan_core.config's own validation).
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from gan_core.config import FIELDS, Config, from_flat
from gan_core.presets import PRESETS

CONFIG_KEYS = [name for name in FIELDS if name != "custom_points"]
POINTS = "points"
MAX_LINK_POINTS = 1000  # about 4 KB of link: browsers and proxies take 8 KB
POINT_SCALE = 100  # 0.01 resolution; int16 then covers +-327.67
SPEEDS = ("1", "5", "20", "100", "max")
PANELS = {"show_arrows": "bool", "show_manifold": "bool", "log_loss": "bool", "slow_mode": "bool", "speed": SPEEDS}
# Parameters that other parts read (presenter mode, the class board, Streamlit itself): not notes.
OTHER = {"lang", "preset", "present", "show", "class", "embed", "embed_options"}


@dataclass
class Decoded:
    config: Config
    preset: str | None = None
    panels: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # one line per ignored parameter
    found: bool = False  # the query held a setting, a preset, points or a panel


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def encode(config: Config, preset: str | None = None, lang: str | None = None,
           panels: Mapping | None = None) -> dict[str, str]:
    """The query parameters of a link (raises ValueError if the points cannot travel in a link)."""
    flat = config.to_flat()
    query = {}
    if lang:
        query["lang"] = lang
    if preset:
        query["preset"] = preset
    query.update({k: _text(flat[k]) for k in CONFIG_KEYS})
    if config.custom_points:
        query[POINTS] = encode_points(config.custom_points)
    for key, value in (panels or {}).items():
        if key in PANELS and value is not None:
            query[key] = _text(value)
    return query


def decode(query: Mapping, default: Config) -> Decoded:
    """The setup a link describes, over `default` (or over its preset's config when it names one)."""
    query = {k: (v[-1] if isinstance(v, list) else v) for k, v in query.items()}
    out = Decoded(config=default)
    if "preset" in query:
        out.found = True
        if query["preset"] in PRESETS:
            out.preset = query["preset"]
            out.config = PRESETS[out.preset].config()
        else:
            out.notes.append(f"preset={query['preset']!r} is not allowed; expected one of {', '.join(PRESETS)}")
    if POINTS in query:
        out.found = True
        try:
            out.config = from_flat({"custom_points": decode_points(query[POINTS])}, base=out.config)
        except ValueError as e:
            out.notes.append(str(e))
    for key in ("dataset", *CONFIG_KEYS):  # the dataset first: custom needs its points, checked above
        if key in query:
            out.found = True
            try:
                out.config = from_flat({key: query[key]}, base=out.config)
            except (ValueError, TypeError) as e:
                out.notes.append(str(e))
    for key, kind in PANELS.items():
        if key in query:
            out.found = True
            value = _panel(key, kind, query[key])
            if isinstance(value, str) and key != "speed":
                out.notes.append(value)
            elif key == "speed" and value not in SPEEDS:
                out.notes.append(f"speed={query[key]!r} is not allowed; expected one of {', '.join(SPEEDS)}")
            else:
                out.panels[key] = value if key != "speed" or value == "max" else int(value)
    unknown = sorted(set(query) - set(CONFIG_KEYS) - set(PANELS) - OTHER - {POINTS})
    out.notes += [f"{k}={query[k]!r}: unknown setting, ignored" for k in unknown]
    return out


def _panel(key: str, kind, text: str):
    if kind == "bool":
        low = str(text).strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        return f"{key}={text!r} is not allowed; expected true or false"
    return str(text).strip()


def encode_points(points) -> str:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts) > MAX_LINK_POINTS:
        raise ValueError(f"{len(pts):,} points are too many for a link (at most {MAX_LINK_POINTS:,}); "
                         "save the run instead")
    if len(pts) and np.abs(pts).max() * POINT_SCALE > 32767:
        raise ValueError("points beyond +-327 cannot travel in a link; save the run instead")
    raw = np.round(pts * POINT_SCALE).astype("<i2").tobytes()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def decode_points(text: str) -> list[list[float]]:
    """The points of a link's `points` parameter; ValueError naming the problem if it is not one."""
    bad = ValueError(f"points={str(text)[:20]!r}... is not allowed; expected the points of a copied link "
                     f"(at most {MAX_LINK_POINTS:,})")
    try:
        packed = base64.urlsafe_b64decode(str(text) + "=" * (-len(str(text)) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_LINK_POINTS * 4 + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise bad from None
    if len(raw) % 4 or len(raw) > MAX_LINK_POINTS * 4 or inflater.unconsumed_tail:
        raise bad
    pts = np.frombuffer(raw, dtype="<i2").reshape(-1, 2) / POINT_SCALE
    return pts.tolist()
