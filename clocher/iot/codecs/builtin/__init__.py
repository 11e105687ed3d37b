"""Built-in Python decoders for the common municipal sensors, one module per vendor.

Each decoder reproduces the example outputs its vendor publishes in The Things Network's Device
Repository (attribution in clocher/iot/tests/fixtures/codecs_vendor_frames.json). Device profiles
reference a decoder by its slug, the key of `BUILTIN_DECODERS`.
"""

from __future__ import annotations

from clocher.iot.codecs import BuiltinDecoder, DecodeError
from clocher.iot.codecs.builtin.adeunis import AdeunisPulse4Decoder, AdeunisTicLinkyMonoDecoder
from clocher.iot.codecs.builtin.axioma import AxiomaQalcosonicW1Decoder
from clocher.iot.codecs.builtin.dragino import DraginoLdds75Decoder
from clocher.iot.codecs.builtin.elsys import ElsysErsCo2Decoder
from clocher.iot.codecs.builtin.milesight import MilesightEm310UdlDecoder, MilesightEm500Co2Decoder

BUILTIN_DECODERS: dict[str, BuiltinDecoder] = {
    decoder.slug: decoder
    for decoder in (
        ElsysErsCo2Decoder(),
        MilesightEm500Co2Decoder(),
        MilesightEm310UdlDecoder(),
        AdeunisTicLinkyMonoDecoder(),
        AdeunisPulse4Decoder(),
        AxiomaQalcosonicW1Decoder(),
        DraginoLdds75Decoder(),
    )
}


def get_builtin_decoder(slug: str) -> BuiltinDecoder:
    """The decoder registered under `slug`, or DecodeError naming the known slugs."""
    try:
        return BUILTIN_DECODERS[slug]
    except KeyError:
        known = ", ".join(sorted(BUILTIN_DECODERS))
        raise DecodeError(f"unknown built-in decoder {slug!r} (known: {known})") from None
