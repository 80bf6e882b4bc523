namespace MusicLocker.Media.Parsing;

/// <summary>Names the formats a locker refuses, from their signatures, so the error can say what the file is.</summary>
internal static class FormatSniffer
{
    /// <summary>Bytes <see cref="Refused"/> and <see cref="LooksLikeMp4"/> look at.</summary>
    public const int HeaderSize = 16;

    public static string? Refused(ReadOnlySpan<byte> h)
    {
        if (h.StartsWith("fLaC"u8))
        {
            return "FLAC";
        }

        if (h.StartsWith("RIFF"u8) && h.Length >= 12)
        {
            var form = h.Slice(8, 4);
            return form.SequenceEqual("WAVE"u8) ? "WAV (RIFF WAVE)" : form.SequenceEqual("AVI "u8) ? "AVI video" : form.SequenceEqual("WEBP"u8) ? "a WebP image" : "a RIFF file";
        }

        if (h.StartsWith("RF64"u8))
        {
            return "WAV (RF64)";
        }

        if (h.StartsWith("OggS"u8))
        {
            return "Ogg (Vorbis/Opus/FLAC)";
        }

        if (h.StartsWith("FORM"u8) && h.Length >= 12)
        {
            return h.Slice(8, 4).SequenceEqual("AIFF"u8) || h.Slice(8, 4).SequenceEqual("AIFC"u8) ? "AIFF" : "an IFF file";
        }

        if (h.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "a JPEG image";
        }

        if (h.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']))
        {
            return "a PNG image";
        }

        if (h.StartsWith("GIF87a"u8) || h.StartsWith("GIF89a"u8))
        {
            return "a GIF image";
        }

        if (h.StartsWith("%PDF"u8))
        {
            return "a PDF document";
        }

        if (h.StartsWith("PK\x03\x04"u8))
        {
            return "a ZIP archive";
        }

        if (h.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
        {
            return "Matroska/WebM";
        }

        if (h.StartsWith((ReadOnlySpan<byte>)[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]))
        {
            return "Windows Media (ASF/WMA)";
        }

        if (h.StartsWith("MThd"u8))
        {
            return "MIDI";
        }

        if (h.StartsWith("MAC "u8))
        {
            return "Monkey's Audio (APE)";
        }

        if (h.StartsWith("wvpk"u8))
        {
            return "WavPack";
        }

        if (h.StartsWith("#!AMR"u8))
        {
            return "AMR";
        }

        if (h.StartsWith("caff"u8))
        {
            return "Core Audio Format (CAF)";
        }

        if (h.StartsWith("TTA1"u8))
        {
            return "True Audio (TTA)";
        }

        if (h.StartsWith("MPCK"u8) || h.StartsWith("MP+"u8))
        {
            return "Musepack";
        }

        if (h.StartsWith(".snd"u8))
        {
            return "Sun/NeXT audio (AU)";
        }

        if (h.StartsWith("DSD "u8) || h.StartsWith("FRM8"u8))
        {
            return "DSD audio";
        }

        if (h.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
        {
            return "a gzip archive";
        }

        if (h.StartsWith("<?xml"u8) || h.StartsWith("<!DOCTYPE"u8) || h.StartsWith("<html"u8))
        {
            return "a text/XML/HTML document";
        }

        return null;
    }

    /// <summary>Names a DRM-protected format recognised by its signature: Audible's <c>.aa</c> (magic 0x57907536 after the 4-byte file size).</summary>
    public static string? Protected(ReadOnlySpan<byte> h) =>
        h.Length >= 8 && h.Slice(4, 4).SequenceEqual((ReadOnlySpan<byte>)[0x57, 0x90, 0x75, 0x36])
            ? "an Audible audiobook (.aa), protected by Audible DRM: it cannot be played outside Audible's apps"
            : null;

    public static bool LooksLikeMp4(ReadOnlySpan<byte> h)
    {
        if (h.Length < 8)
        {
            return false;
        }

        var type = h.Slice(4, 4);
        return type.SequenceEqual("ftyp"u8) || type.SequenceEqual("moov"u8) || type.SequenceEqual("mdat"u8)
            || type.SequenceEqual("wide"u8) || type.SequenceEqual("free"u8) || type.SequenceEqual("skip"u8) || type.SequenceEqual("pnot"u8);
    }
}
