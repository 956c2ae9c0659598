"""A small PNG reader: 8-bit RGB and RGBA, not interlaced (what Chromium's screenshots are),
enough to tell a blank screenshot from a drawn one. Stdlib only."""
import collections
import itertools
import operator
import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {2: 3, 6: 4}  # colour type -> samples per pixel


class PNGError(ValueError):
    """Not a PNG, a damaged one, or one this reader does not decode."""


class Image:
    """Decoded pixels: rows of width * channels bytes, top to bottom, no filter bytes."""

    def __init__(self, width, height, channels, pixels):
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels

    def pixel(self, x, y):
        start = (y * self.width + x) * self.channels
        return tuple(self.pixels[start:start + self.channels])

    def colour_counts(self):
        """How many pixels have each colour (a tuple of channels)."""
        planes = [self.pixels[c::self.channels] for c in range(self.channels)]
        return collections.Counter(zip(*planes))

    def count_other_than(self, colour):
        """Pixels whose colour is not colour (e.g. the white background)."""
        return self.width * self.height - self.colour_counts()[tuple(colour)]


def _add_bytes(a, b):
    """a + b byte by byte, mod 256, for two equal-length byte strings: both packed in one big
    integer, the low 7 bits of every byte added without carries out of the byte, the top bits
    added by xor (a whole row at C speed instead of a loop per byte)."""
    n = len(a)
    x = int.from_bytes(a, "big")
    y = int.from_bytes(b, "big")
    low7 = int.from_bytes(b"\x7f" * n, "big")
    high1 = int.from_bytes(b"\x80" * n, "big")
    return (((x & low7) + (y & low7)) ^ ((x ^ y) & high1)).to_bytes(n, "big")


def _unfilter_sub(line, bpp):
    out = bytearray(len(line))
    for c in range(bpp):
        sums = itertools.accumulate(line[c::bpp])
        out[c::bpp] = bytes(map(operator.and_, sums, itertools.repeat(0xFF)))
    return out


def _unfilter_average(line, prior, bpp):
    out = bytearray(line)
    for i in range(len(out)):
        left = out[i - bpp] if i >= bpp else 0
        out[i] = (out[i] + ((left + prior[i]) >> 1)) & 0xFF
    return out


def _unfilter_paeth(line, prior, bpp):
    out = bytearray(line)
    for i in range(len(out)):
        a = out[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out[i] = (out[i] + predictor) & 0xFF
    return out


def _unfilter(raw, width, height, bpp):
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        raise PNGError(f"image data has {len(raw)} bytes, expected {height * (stride + 1)}")
    rows = []
    prior = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = raw[start + 1:start + 1 + stride]
        if kind == 0:
            row = line
        elif kind == 1:
            row = _unfilter_sub(line, bpp)
        elif kind == 2:
            row = _add_bytes(line, prior)
        elif kind == 3:
            row = _unfilter_average(line, prior, bpp)
        elif kind == 4:
            row = _unfilter_paeth(line, prior, bpp)
        else:
            raise PNGError(f"row {y}: unknown filter type {kind}")
        row = bytes(row)
        rows.append(row)
        prior = row
    return b"".join(rows)


def decode(data):
    """The Image of PNG bytes."""
    if not data.startswith(SIGNATURE):
        raise PNGError("not a PNG (bad signature)")
    pos = len(SIGNATURE)
    header = None
    compressed = []
    while True:
        if pos + 8 > len(data):
            raise PNGError("truncated: no IEND chunk")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise PNGError(f"truncated {kind.decode(errors='replace')} chunk")
        if zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            raise PNGError(f"bad CRC in the {kind.decode(errors='replace')} chunk")
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise PNGError("no IHDR chunk")
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type not in CHANNELS:
        raise PNGError(f"unsupported: bit depth {depth}, colour type {colour_type} "
                       "(only 8-bit RGB and RGBA)")
    if interlace != 0:
        raise PNGError("unsupported: interlaced")
    channels = CHANNELS[colour_type]
    try:
        raw = zlib.decompress(b"".join(compressed))
    except zlib.error as e:
        raise PNGError(f"bad image data: {e}") from None
    return Image(width, height, channels, _unfilter(raw, width, height, channels))


def read(path):
    """The Image of a PNG file."""
    with open(path, "rb") as file:
        return decode(file.read())
