#!/usr/bin/env python3
"""Independent implementation of the MusicLocker object format v1 (docs/encryption-format.md) that writes
object_format_v1.json. It shares no code with the C# library: HKDF-Expand from hmac/hashlib, AES-GCM from python3-cryptography. Before writing, it checks its C2SP layer against the Wycheproof Cobblestone-256 vectors.

Run: python3 generate.py [path/to/c2sp_chunked_encryption_aes_256_gcm_test.json]
"""
import hashlib, hmac, json, os, struct, sys, zlib
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CHUNK = 16384
TAG = 16
LABEL = b"c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM\x00"
PREFIX = b"MLCE\x01\x01\x00\x00"


def hkdf_expand_sha512(prk, info, length):
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha512).digest()
        out += block
        i += 1
    return out[:length]


def derive(key, salt, ctx):
    d = hkdf_expand_sha512(key, LABEL + salt + ctx, 32 + 12 + 32)
    return d[:32], d[32:44], d[44:]


def nonce(base, i):
    return base[:4] + (int.from_bytes(base[4:], "big") ^ i).to_bytes(8, "big")


def c2sp_encrypt(key, salt, ctx, msg):
    k, base, commitment = derive(key, salt, ctx)
    aead, out, i = AESGCM(k), [salt, commitment], 0
    while True:
        chunk = msg[i * CHUNK:(i + 1) * CHUNK]
        out.append(aead.encrypt(nonce(base, i), chunk, None))
        if len(chunk) < CHUNK:
            return b"".join(out)
        i += 1


def c2sp_decrypt(key, ctx, ct):
    if len(key) != 32 or len(ct) < 56:
        raise ValueError("header")
    salt, commitment, body = ct[:24], ct[24:56], ct[56:]
    k, base, expected = derive(key, salt, ctx)
    if not hmac.compare_digest(commitment, expected):
        raise ValueError("commitment")
    aead, out, i = AESGCM(k), [], 0
    while True:
        enc = body[i * (CHUNK + TAG):(i + 1) * (CHUNK + TAG)]
        if len(enc) < TAG:
            raise ValueError("truncated")
        out.append(aead.decrypt(nonce(base, i), enc, None))
        if len(enc) < CHUNK + TAG:
            if len(body) != (i + 1) * (CHUNK + TAG) - (CHUNK + TAG - len(enc)):
                raise ValueError("trailing")
            return b"".join(out)
        i += 1


def field(s):
    b = s.encode("utf-8")
    return struct.pack(">H", len(b)) + b


def object_context(tenant, user, object_id):
    return PREFIX + field(tenant) + field(user) + field(object_id)


def self_check(path):
    data = json.load(open(path))
    checked = 0
    for group in data["testGroups"]:
        for t in group["tests"]:
            ct = zlib.decompress(bytes.fromhex(t["ct"]))
            try:
                msg = c2sp_decrypt(bytes.fromhex(t["key"]), bytes.fromhex(t["ctx"]), ct)
                ok = hashlib.sha512(msg).hexdigest() == t["msgSha512"]
            except Exception:
                ok = False
            assert ok == (t["result"] == "valid"), t["tcId"]
            checked += 1
    return checked


def plaintext(n):
    return bytes(((i * 7) + 3) & 0xFF for i in range(n))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    vectors = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "wycheproof", "c2sp_chunked_encryption_aes_256_gcm_test.json")
    print("C2SP self-check:", self_check(vectors), "Wycheproof vectors agree")
    user_key = bytes(range(0x40, 0x60))
    cases = []
    specs = [
        ("", "ann", "tracks/0001.mp3", 0),
        ("", "ann", "tracks/0002.mp3", 1),
        ("acme", "bob", "tracks/0003.m4a", 1000),
        ("acme", "bob", "tracks/0004.m4a", CHUNK - 1),
        ("acme", "bob", "tracks/0005.m4a", CHUNK),
        ("acme", "bob", "tracks/0006.m4a", CHUNK + 1),
        ("acme", "chloé", "música/ünïcode.mp3", 3 * CHUNK + 5000),
        ("acme", "dan", "tracks/0008.mp3", 100_000),
    ]
    for n, (tenant, user, object_id, length) in enumerate(specs):
        data_key = hashlib.sha256(b"data-key-%d" % n).digest()
        salt = hashlib.sha256(b"salt-%d" % n).digest()[:24]
        ctx = object_context(tenant, user, object_id)
        msg = plaintext(length)
        ct = PREFIX + c2sp_encrypt(data_key, salt, ctx, msg)
        wrap_nonce = hashlib.sha256(b"wrap-nonce-%d" % n).digest()[:12]
        wrapped = wrap_nonce + AESGCM(user_key).encrypt(wrap_nonce, data_key, b"musiclocker.org/data-key@v1\x00" + ctx)
        case = {
            "tenant": tenant, "user": user, "objectId": object_id, "plaintextLength": length,
            "dataKey": data_key.hex(), "salt": salt.hex(), "context": ctx.hex(),
            "header": ct[:64].hex(), "ciphertextLength": len(ct), "ciphertextSha256": hashlib.sha256(ct).hexdigest(),
            "wrappedDataKey": wrapped.hex(),
        }
        if len(ct) <= 2048:
            case["ciphertext"] = ct.hex()
        cases.append(case)
    out = {
        "format": "MusicLocker object format v1 (docs/encryption-format.md)",
        "generator": "tests/MusicLocker.Crypto.Tests/Vectors/musiclocker/generate.py (python3-cryptography, independent of the C# code)",
        "plaintext": "byte i of a plaintext of n bytes is (7*i + 3) mod 256",
        "userKey": user_key.hex(),
        "vectors": cases,
    }
    with open(os.path.join(here, "object_format_v1.json"), "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote", len(cases), "vectors")


if __name__ == "__main__":
    main()
