using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>The key ring after Dispose, under concurrent removal, and against hostile files and folders.</summary>
public sealed class LocalKeyRingSafetyTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "musiclocker-crypto-tests", Guid.NewGuid().ToString("N"));

    public LocalKeyRingSafetyTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static KeyContext Context => new("t1", "ann", "user-key/1");

    private string RingPath => Path.Combine(_folder, "ring.json");

    public void Dispose()
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task After_dispose_every_member_throws_ObjectDisposedException()
    {
        var ring = await LocalKeyRing.CreateAsync(RingPath, cancellationToken: Ct);
        using var generated = await ring.GenerateKeyAsync(Context, Ct);
        ring.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ring.CurrentVersion);
        Assert.Throws<ObjectDisposedException>(() => ring.Versions);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ring.GenerateKeyAsync(Context, Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ring.UnwrapKeyAsync(generated.WrappedKey, Context, Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ring.RewrapKeyAsync(generated.WrappedKey, Context, Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ring.RotateAsync(Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ring.RemoveVersionAsync(1, Ct));
        ring.Dispose();
    }

    [Theory]
    [InlineData("remove")]
    [InlineData("dispose")]
    public async Task An_unwrap_racing_removal_or_dispose_returns_the_right_key_or_a_typed_error_never_a_zeroed_master_key(string end)
    {
        // Long ids: each unwrap holds the master key for longer (it encodes the context before reading the key), so a
        // removal or dispose lands inside one far more often.
        var context = new KeyContext(new string('t', 60_000), new string('u', 60_000), new string('o', 60_000));
        for (int round = 0; round < 40; round++)
        {
            string path = Path.Combine(_folder, $"ring-{round}.json");
            var ring = await LocalKeyRing.CreateAsync(path, cancellationToken: Ct);
            using var generated = await ring.GenerateKeyAsync(context, Ct);
            await ring.RotateAsync(Ct);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var unwraps = Enumerable.Range(0, 4).Select(_ => Task.Run(
                async () =>
                {
                    await start.Task;
                    // Unwrap until the version is gone, so some unwrap is always in flight when its key is released.
                    while (true)
                    {
                        try
                        {
                            Assert.Equal(generated.Plaintext, await ring.UnwrapKeyAsync(generated.WrappedKey, context, Ct));
                        }
                        catch (EncryptionException ex) when (ex.ErrorCode == EncryptionErrorCode.KeyNotFound && end == "remove")
                        {
                            return;
                        }
                        catch (ObjectDisposedException) when (end == "dispose")
                        {
                            return;
                        }
                    }
                },
                Ct)).ToArray();
            start.SetResult();
            if (end == "remove")
            {
                await ring.RemoveVersionAsync(1, Ct);
            }
            else
            {
                ring.Dispose();
            }

            await Task.WhenAll(unwraps);
            ring.Dispose();
        }
    }

    [Fact]
    public async Task A_missing_ring_is_a_typed_error()
    {
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => LocalKeyRing.OpenAsync(Path.Combine(_folder, "missing.json"), cancellationToken: Ct));
        Assert.Equal(EncryptionErrorCode.KeyRingUnavailable, ex.ErrorCode);
        Assert.Contains("missing.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_ring_is_a_typed_error()
    {
        // A folder where the file should be: not readable as a file, whatever the user's privileges.
        Directory.CreateDirectory(RingPath);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(RingPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var ex = await Assert.ThrowsAsync<EncryptionException>(() => LocalKeyRing.OpenAsync(RingPath, cancellationToken: Ct));
        Assert.Equal(EncryptionErrorCode.KeyRingUnavailable, ex.ErrorCode);
    }

    [Fact]
    public async Task A_symlinked_ring_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix symlinks only");
            return;
        }

        string real = Path.Combine(_folder, "real.json");
        (await LocalKeyRing.CreateAsync(real, cancellationToken: Ct)).Dispose();
        File.CreateSymbolicLink(RingPath, real);
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => LocalKeyRing.OpenAsync(RingPath, cancellationToken: Ct));
        Assert.Equal(EncryptionErrorCode.KeyRingInvalid, ex.ErrorCode);
        Assert.Contains("symlink", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ring_in_a_folder_others_can_write_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only");
            return;
        }

        (await LocalKeyRing.CreateAsync(RingPath, cancellationToken: Ct)).Dispose();
        File.SetUnixFileMode(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.GroupRead);
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => LocalKeyRing.OpenAsync(RingPath, cancellationToken: Ct));
        Assert.Equal(EncryptionErrorCode.KeyRingInvalid, ex.ErrorCode);
        Assert.Contains("folder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ring_at_the_last_version_refuses_to_rotate_instead_of_wrapping_around()
    {
        string key = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)i).ToArray());
        await File.WriteAllTextAsync(RingPath, $$"""{"format":"musiclocker-keyring","formatVersion":1,"current":{{int.MaxValue}},"keys":[{"version":{{int.MaxValue}},"created":"2026-01-01T00:00:00+00:00","key":"{{key}}"}]}""", Ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(RingPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var ring = await LocalKeyRing.OpenAsync(RingPath, cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => ring.RotateAsync(Ct));
        Assert.Equal(EncryptionErrorCode.KeyVersionExhausted, ex.ErrorCode);
        Assert.Equal([int.MaxValue], ring.Versions);
        Assert.Equal([int.MaxValue], (await LocalKeyRing.OpenAsync(RingPath, cancellationToken: Ct)).Versions);
    }
}
