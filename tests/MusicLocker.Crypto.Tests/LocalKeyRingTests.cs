using System.Text.Json;
using MusicLocker.Crypto.Tests.Conformance;
using MusicLocker.Testing;

namespace MusicLocker.Crypto.Tests;

/// <summary>The provider conformance suite on the key ring file.</summary>
public sealed class LocalKeyRingConformanceTests : MasterKeyProviderConformanceTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "musiclocker-crypto-tests", Guid.NewGuid().ToString("N"));

    protected override async Task<IMasterKeyProvider> CreateProviderAsync()
    {
        Directory.CreateDirectory(_folder);
        return await LocalKeyRing.CreateAsync(Path.Combine(_folder, "ring.json"), cancellationToken: Ct);
    }

    protected override Task RotateAsync(IMasterKeyProvider provider) => ((LocalKeyRing)provider).RotateAsync(Ct);

    protected override async Task RetireOldKeysAsync(IMasterKeyProvider provider)
    {
        var ring = (LocalKeyRing)provider;
        foreach (int version in ring.Versions.Where(v => v != ring.CurrentVersion).ToArray())
        {
            await ring.RemoveVersionAsync(version, Ct);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The key ring file itself: permissions, format, persistence.</summary>
public sealed class LocalKeyRingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "musiclocker-crypto-tests", Guid.NewGuid().ToString("N"));

    public LocalKeyRingTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string RingPath => Path.Combine(_folder, "ring.json");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_file_is_created_and_rewritten_readable_by_its_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only");
            return;
        }

        using var ring = await LocalKeyRing.CreateAsync(RingPath, cancellationToken: Ct);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(RingPath));
        await ring.RotateAsync(Ct);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(RingPath));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task A_ring_others_can_read_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only");
            return;
        }

        (await LocalKeyRing.CreateAsync(RingPath, cancellationToken: Ct)).Dispose();
        File.SetUnixFileMode(RingPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => LocalKeyRing.OpenAsync(RingPath, cancellationToken: Ct));
        Assert.Equal(EncryptionErrorCode.KeyRingInvalid, ex.ErrorCode);
        Assert.Contains("chmod 600", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_over_an_existing_ring_is_refused()
    {
        (await LocalKeyRing.CreateAsync(RingPath, cancellationToken: Ct)).Dispose();
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => LocalKeyRing.CreateAsync(RingPath, cancellationToken: Ct));
        Assert.Equal(EncryptionErrorCode.KeyRingUnavailable, ex.ErrorCode);
        Assert.Contains("exists", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_file_has_the_documented_format_and_reopens_with_the_same_keys()
    {
        var clock = new ManualTimeProvider();
        var context = new KeyContext("", "ann", "user-key/1");
        GeneratedKey key;
        using (var ring = await LocalKeyRing.CreateAsync(new LocalKeyRingOptions { Path = RingPath, TimeProvider = clock }, Ct))
        {
            key = await ring.GenerateKeyAsync(context, Ct);
            Assert.Equal(2, await ring.RotateAsync(Ct));
        }

        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(RingPath, Ct));
        var root = doc.RootElement;
        Assert.Equal("musiclocker-keyring", root.GetProperty("format").GetString());
        Assert.Equal(1, root.GetProperty("formatVersion").GetInt32());
        Assert.Equal(2, root.GetProperty("current").GetInt32());
        var keys = root.GetProperty("keys").EnumerateArray().ToArray();
        Assert.Equal([1, 2], keys.Select(k => k.GetProperty("version").GetInt32()));
        Assert.All(keys, k => Assert.Equal(32, k.GetProperty("key").GetBytesFromBase64().Length));
        Assert.Equal(clock.GetUtcNow(), keys[0].GetProperty("created").GetDateTimeOffset());

        // Wrapped keys name their master key version: 0x01, then version 1 big-endian, then 40 bytes of AES-KWP.
        Assert.Equal(45, key.WrappedKey.Length);
        Assert.Equal(new byte[] { 1, 0, 0, 0, 1 }, key.WrappedKey[..5]);

        using var reopened = await LocalKeyRing.OpenAsync(RingPath, cancellationToken: Ct);
        Assert.Equal(2, reopened.CurrentVersion);
        Assert.Equal(key.Plaintext, await reopened.UnwrapKeyAsync(key.WrappedKey, context, Ct));
        var rewrapped = await reopened.RewrapKeyAsync(key.WrappedKey, context, Ct);
        Assert.Equal(new byte[] { 1, 0, 0, 0, 2 }, rewrapped[..5]);
    }

    [Fact]
    public async Task A_key_under_a_removed_master_key_is_reported_as_not_found()
    {
        using var ring = await LocalKeyRing.CreateAsync(RingPath, cancellationToken: Ct);
        var context = new KeyContext("", "ann", "user-key/1");
        using var key = await ring.GenerateKeyAsync(context, Ct);
        await ring.RotateAsync(Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => ring.RemoveVersionAsync(2, Ct));
        await ring.RemoveVersionAsync(1, Ct);
        var ex = await Assert.ThrowsAsync<EncryptionException>(() => ring.UnwrapKeyAsync(key.WrappedKey, context, Ct));
        Assert.Equal(EncryptionErrorCode.KeyNotFound, ex.ErrorCode);
        Assert.Contains("version 1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"format\":\"other\",\"formatVersion\":1,\"current\":1,\"keys\":[]}")]
    [InlineData("{\"format\":\"musiclocker-keyring\",\"formatVersion\":1,\"current\":2,\"keys\":[{\"version\":1,\"created\":\"2026-01-01T00:00:00Z\",\"key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}]}")]
    [InlineData("{\"format\":\"musiclocker-keyring\",\"formatVersion\":1,\"current\":1,\"keys\":[{\"version\":1,\"created\":\"2026-01-01T00:00:00Z\",\"key\":\"AAAA\"}]}")]
    public async Task A_malformed_ring_is_refused_with_a_typed_error(string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var file = new FileStream(RingPath, options))
        {
            await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(content), Ct);
        }

        var ex = await Assert.ThrowsAsync<EncryptionException>(() => LocalKeyRing.OpenAsync(RingPath, cancellationToken: Ct));
        Assert.Equal(EncryptionErrorCode.KeyRingInvalid, ex.ErrorCode);
    }
}
