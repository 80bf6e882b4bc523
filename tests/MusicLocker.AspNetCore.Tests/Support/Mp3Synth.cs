namespace MusicLocker.AspNetCore.Tests.Support;

/// <summary>A CBR MPEG-1 Layer III file of silent-payload frames (128 kbit/s, 44.1 kHz, 417 bytes each): any length, valid to the prober.</summary>
internal static class Mp3Synth
{
    public const int FrameLength = 417;

    public static string Write(string folder, long approximateBytes)
    {
        string path = Path.Combine(folder, $"synth-{approximateBytes}.mp3");
        long frames = approximateBytes / FrameLength;
        byte[] frame = new byte[FrameLength];
        frame[0] = 0xFF;
        frame[1] = 0xFB;
        frame[2] = 0x90;
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (long i = 0; i < frames; i++)
        {
            frame[4] = (byte)i; // frames differ, so a misplaced range shows
            frame[5] = (byte)(i >> 8);
            frame[6] = (byte)(i >> 16);
            file.Write(frame);
        }

        return path;
    }
}
