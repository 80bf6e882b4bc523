using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary>README command 1: <c>locker demo</c> runs the main job on the embedded default through the facade.</summary>
public sealed class DemoCommandTests
{
    private static Task<(int ExitCode, string Output)> RunAsync(params string[] args) => LockerCli.RunAsync(null, args);

    [Fact]
    public async Task Demo_with_the_built_in_sample_uploads_lists_reads_a_range_and_downloads_identical_bytes_twice()
    {
        using var folder = new TempFolder();

        var (exit, output) = await RunAsync("demo", "--root", folder.Path, "--sample", "builtin");
        var (again, secondOutput) = await RunAsync("demo", "--root", folder.Path, "--sample", "builtin");

        Assert.True(exit == 0, output);
        Assert.Contains("made by builtin", output, StringComparison.Ordinal);
        Assert.Contains("uploaded      : Stored: \"MusicLocker demo tone\"", output, StringComparison.Ordinal);
        Assert.Contains("byte for byte identical", output, StringComparison.Ordinal);
        Assert.EndsWith("ok\n", output, StringComparison.Ordinal);
        Assert.True(again == 0, secondOutput);
        Assert.Contains("uploaded      : Duplicate:", secondOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder.Path, Locker.EmbeddedDatabaseFile)));
        Assert.True(File.Exists(Path.Combine(folder.Path, Locker.EmbeddedKeyRingFile)));
    }

    [Fact]
    public async Task Demo_refuses_a_file_that_is_not_audio_with_the_locker_code()
    {
        using var folder = new TempFolder();

        var (exit, output) = await RunAsync("demo", "--root", folder.Path, AudioFiles.Other("sine.flac"));

        Assert.Equal(1, exit);
        Assert.Contains("UnsupportedFormat", output, StringComparison.Ordinal);
    }
}
