using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>
/// A process opening the key ring while another creates it sees no ring or the whole ring: never a file locked by the
/// writer ("being used by another process") nor a half-written one. Before the fix the ring was written in place with
/// FileShare.None, so an opener in that window failed with KeyRingUnavailable (seen when the CLI's pause test opened a
/// locker its child was creating).
/// </summary>
public sealed class KeyRingCreationRaceTests
{
    [Fact]
    public async Task Openers_racing_the_creation_of_a_ring_see_nothing_or_the_whole_ring()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var failures = new List<string>();
        for (int round = 0; round < 150; round++)
        {
            string path = Path.Combine(folder.Path, $"ring-{round}.json");
            using var stop = new CancellationTokenSource();
            var openers = Enumerable.Range(0, 3).Select(_ => Task.Run(
                async () =>
                {
                    while (true)
                    {
                        try
                        {
                            using var opened = await LocalKeyRing.OpenAsync(path, ct);
                            return;
                        }
                        catch (EncryptionException ex) when (ex.InnerException is FileNotFoundException && !stop.IsCancellationRequested)
                        {
                            // Not created yet: look again.
                        }
                        catch (EncryptionException ex)
                        {
                            lock (failures)
                            {
                                failures.Add($"round {round}: {ex.ErrorCode}: {ex.Message}");
                            }

                            return;
                        }
                    }
                },
                ct)).ToArray();
            using (var created = await LocalKeyRing.CreateAsync(path, ct))
            {
            }

            await Task.WhenAll(openers);
            stop.Cancel();
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(5)));
        Assert.Empty(Directory.EnumerateFiles(folder.Path, "*.tmp"));
    }

    [Fact]
    public async Task Creating_a_ring_that_exists_is_refused_and_leaves_the_ring_and_no_temp_file()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "ring.json");
        using (var first = await LocalKeyRing.CreateAsync(path, ct))
        {
        }

        byte[] before = await File.ReadAllBytesAsync(path, ct);
        var refused = await Assert.ThrowsAsync<EncryptionException>(() => LocalKeyRing.CreateAsync(path, ct));
        Assert.Equal(EncryptionErrorCode.KeyRingUnavailable, refused.ErrorCode);
        Assert.Equal(before, await File.ReadAllBytesAsync(path, ct));
        Assert.Empty(Directory.EnumerateFiles(folder.Path, "*.tmp"));
    }
}
