using System.Diagnostics;
using System.Text;

namespace Locker.Cli.Commands;

/// <summary>
/// The demo's sample MP3: a 440 Hz tone encoded by ffmpeg or lame when one is installed, otherwise a built-in MP3 —
/// an ID3v2.3 tag and valid MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, stereo) whose side information and main
/// data are all zero, which every decoder plays as silence. The demo works without any encoder.
/// </summary>
internal static class SampleMp3
{
    private const string Title = "MusicLocker demo tone";
    private const string Artist = "Locker.Cli";

    /// <summary>Writes the sample into <paramref name="folder"/>; <paramref name="generator"/> is auto, ffmpeg, lame or builtin.</summary>
    public static async Task<(FileInfo File, string Generator)> WriteAsync(DirectoryInfo folder, string generator, CancellationToken cancellationToken)
    {
        folder.Create();
        string path = Path.Combine(folder.FullName, "demo-sample.mp3");
        File.Delete(path);
        if (generator is "auto" or "ffmpeg" && await TryRunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=20", "-codec:a", "libmp3lame", "-b:a", "128k", "-metadata", "title=" + Title, "-metadata", "artist=" + Artist, path], cancellationToken))
        {
            return (new FileInfo(path), "ffmpeg");
        }

        if (generator is "auto" or "lame")
        {
            string wav = Path.Combine(folder.FullName, "demo-sample.wav");
            await File.WriteAllBytesAsync(wav, ToneWav(20), cancellationToken);
            bool encoded = await TryRunAsync("lame", ["--quiet", "-b", "128", "--tt", Title, "--ta", Artist, wav, path], cancellationToken);
            File.Delete(wav);
            if (encoded)
            {
                return (new FileInfo(path), "lame");
            }
        }

        if (generator is not ("auto" or "builtin"))
        {
            throw new IOException($"The sample generator '{generator}' is not installed or failed; use --sample builtin.");
        }

        await File.WriteAllBytesAsync(path, BuiltIn(seconds: 20), cancellationToken);
        return (new FileInfo(path), "builtin");
    }

    /// <summary>The built-in sample: ID3v2.3 (title, artist) + silent Layer III frames.</summary>
    internal static byte[] BuiltIn(int seconds)
    {
        const int frameLength = 417; // 144 × 128000 / 44100, no padding
        int frames = seconds * 44100 / 1152;
        byte[] tag = Id3v23(("TIT2", Title), ("TPE1", Artist));
        var bytes = new byte[tag.Length + (frames * frameLength)];
        tag.CopyTo(bytes, 0);
        for (int i = 0; i < frames; i++)
        {
            int at = tag.Length + (i * frameLength);
            bytes[at] = 0xFF;
            bytes[at + 1] = 0xFB; // MPEG-1, Layer III, no CRC
            bytes[at + 2] = 0x90; // 128 kbit/s, 44.1 kHz, no padding
            bytes[at + 3] = 0x00; // stereo
        }

        return bytes;
    }

    private static byte[] Id3v23(params (string Id, string Text)[] frames)
    {
        var body = new MemoryStream();
        foreach (var (id, text) in frames)
        {
            byte[] payload = [0, .. Encoding.Latin1.GetBytes(text)];
            body.Write(Encoding.ASCII.GetBytes(id));
            body.Write([(byte)(payload.Length >> 24), (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, 0, 0]);
            body.Write(payload);
        }

        int size = (int)body.Length;
        byte[] header = [(byte)'I', (byte)'D', (byte)'3', 3, 0, 0, (byte)((size >> 21) & 0x7F), (byte)((size >> 14) & 0x7F), (byte)((size >> 7) & 0x7F), (byte)(size & 0x7F)];
        return [.. header, .. body.ToArray()];
    }

    private static byte[] ToneWav(int seconds)
    {
        const int rate = 44100;
        int samples = rate * seconds;
        var wav = new MemoryStream();
        var writer = new BinaryWriter(wav);
        writer.Write("RIFF"u8);
        writer.Write(36 + (samples * 2));
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(rate);
        writer.Write(rate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(samples * 2);
        for (int i = 0; i < samples; i++)
        {
            writer.Write((short)(Math.Sin(2 * Math.PI * 440 * i / rate) * 8000));
        }

        writer.Flush();
        return wav.ToArray();
    }

    private static async Task<bool> TryRunAsync(string program, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return false;
            }

            var drainOut = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var drainErr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            await Task.WhenAll(drainOut, drainErr);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}
