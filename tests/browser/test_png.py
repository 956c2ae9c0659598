"""png.py against PNGs written here with zlib: every filter type, RGB and RGBA, and the files
it must refuse."""
import random
import struct
import zlib

import pytest

import png


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prior, bpp):
    """row filtered with PNG filter kind (the encoder side, straight from the specification)."""
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out.append((x - predictor) % 256)
    return bytes(out)


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode(width, height, channels, pixels, filters, depth=8, interlace=0, idat_parts=1,
           colour_type=None):
    """A PNG of pixels (rows of width * channels bytes); row y uses filters[y % len]."""
    stride = width * channels
    raw = bytearray()
    prior = bytes(stride)
    for y in range(height):
        row = pixels[y * stride:(y + 1) * stride]
        kind = filters[y % len(filters)]
        raw.append(kind)
        raw += filter_row(kind, row, prior, channels)
        prior = row
    data = zlib.compress(bytes(raw))
    cut = [len(data) * i // idat_parts for i in range(idat_parts + 1)]
    colour_type = colour_type if colour_type is not None else {3: 2, 4: 6}[channels]
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, interlace)
    return (png.SIGNATURE + chunk(b"IHDR", header)
            + b"".join(chunk(b"IDAT", data[cut[i]:cut[i + 1]]) for i in range(idat_parts))
            + chunk(b"IEND", b""))


def random_pixels(width, height, channels, seed):
    """Noise with runs of extremes, so that sums wrap past 255 and predictors differ."""
    rng = random.Random(seed)
    return bytes(rng.choice([0, 1, 254, 255]) if rng.random() < 0.3 else rng.randrange(256)
                 for _ in range(width * height * channels))


@pytest.mark.parametrize("channels", [3, 4], ids=["rgb", "rgba"])
@pytest.mark.parametrize("kind", range(5), ids=["none", "sub", "up", "average", "paeth"])
def test_each_filter_type_round_trips(kind, channels):
    width, height = 29, 17
    pixels = random_pixels(width, height, channels, seed=kind * 10 + channels)
    image = png.decode(encode(width, height, channels, pixels, [kind]))
    assert (image.width, image.height, image.channels) == (width, height, channels)
    assert image.pixels == pixels, f"filter {kind}, {channels} channels: pixels differ"


def test_mixed_filters_and_split_image_data():
    width, height, channels = 31, 20, 4
    pixels = random_pixels(width, height, channels, seed=1)
    data = encode(width, height, channels, pixels, [4, 0, 3, 1, 2, 4, 4, 3], idat_parts=3)
    assert png.decode(data).pixels == pixels


def test_one_pixel_wide():
    pixels = random_pixels(1, 6, 3, seed=2)
    assert png.decode(encode(1, 6, 3, pixels, [1, 3, 4, 2])).pixels == pixels


def test_read_file_and_count_colours(tmp_path):
    # 4x2 RGB: six white pixels, one red, one blue.
    white, red, blue = (255, 255, 255), (255, 0, 0), (0, 0, 255)
    layout = [white, red, white, white, white, white, blue, white]
    path = tmp_path / "small.png"
    path.write_bytes(encode(4, 2, 3, bytes(v for p in layout for v in p), [4, 2]))
    image = png.read(path)
    assert image.pixel(1, 0) == red and image.pixel(2, 1) == blue
    assert image.colour_counts() == {white: 6, red: 1, blue: 1}
    assert image.count_other_than(white) == 2


@pytest.mark.parametrize("data, message", [
    (b"GIF89a" + bytes(40), "bad signature"),
    (encode(2, 2, 3, bytes(12), [0], depth=16), "bit depth 16"),
    (encode(2, 2, 3, bytes(12), [0], colour_type=3), "colour type 3"),
    (encode(2, 2, 3, bytes(12), [0], interlace=1), "interlaced"),
    (encode(2, 2, 3, bytes(12), [0])[:-20], "truncated"),
], ids=["signature", "16-bit", "palette", "interlaced", "truncated"])
def test_refuses_what_it_does_not_decode(data, message):
    with pytest.raises(png.PNGError, match=message):
        png.decode(data)


def test_refuses_bad_crc_and_unknown_filter():
    good = bytearray(encode(2, 2, 3, bytes(12), [0]))
    good[len(png.SIGNATURE) + 10] ^= 1  # a byte of the IHDR body
    with pytest.raises(png.PNGError, match="bad CRC in the IHDR chunk"):
        png.decode(bytes(good))
    raw = zlib.compress(bytes([5]) + bytes(6) + bytes([0]) + bytes(6))
    data = (png.SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    with pytest.raises(png.PNGError, match="row 0: unknown filter type 5"):
        png.decode(data)
