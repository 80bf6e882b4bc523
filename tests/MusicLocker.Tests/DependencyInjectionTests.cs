using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MusicLocker.DependencyInjection;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task AddMusicLocker_with_the_embedded_parts_uploads_and_reads_and_is_safe_to_call_twice()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var services = new ServiceCollection();
        services.AddMusicLocker(o => o.PartSize = 16 * 1024)
            .UseFileSystemStorage(Path.Combine(folder.Path, "objects"))
            .UseSqlite(Path.Combine(folder.Path, "db", "catalog.db"))
            .UseLocalKeyRing(Path.Combine(folder.Path, "keys", "ring.json"));
        services.AddMusicLocker();

        Assert.Single(services, d => d.ServiceType == typeof(ILocker));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<MusicLockerOptions>));
        await using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            var locker = provider.GetRequiredService<ILocker>();
            Assert.Same(locker, provider.GetRequiredService<ILocker>());
            var result = await locker.ForUser("alice").Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);
            Assert.Equal(UploadOutcome.Stored, result.Outcome);
        }

        Assert.True(File.Exists(Path.Combine(folder.Path, "db", "catalog.db")));
        Assert.True(File.Exists(Path.Combine(folder.Path, "keys", "ring.json")));
        Assert.True(Directory.EnumerateFiles(Path.Combine(folder.Path, "objects"), "*.blob", SearchOption.AllDirectories).Any());

        // A second container over the same files (a restarted app) sees the track.
        var again = new ServiceCollection();
        again.AddMusicLocker(o => o.PartSize = 16 * 1024)
            .UseFileSystemStorage(Path.Combine(folder.Path, "objects"))
            .UseSqlite(Path.Combine(folder.Path, "db", "catalog.db"))
            .UseLocalKeyRing(Path.Combine(folder.Path, "keys", "ring.json"));
        await using var reopened = again.BuildServiceProvider();
        var tracks = await EndToEndTests.ToListAsync(reopened.GetRequiredService<ILocker>().ForUser("alice").Tracks.ListAsync(cancellationToken: ct));
        Assert.Single(tracks);
    }

    [Fact]
    public async Task Options_bind_from_configuration_and_the_folder_alone_opens_the_embedded_default()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MusicLocker:Folder"] = folder.Path,
            ["MusicLocker:PartSize"] = "32768",
            ["MusicLocker:MaxConcurrency"] = "2",
            ["MusicLocker:StaleUploadAge"] = "02:00:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddMusicLocker(configuration.GetSection("MusicLocker"));
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MusicLockerOptions>>().Value;
        Assert.Equal(32768, options.PartSize);
        Assert.Equal(2, options.MaxConcurrency);
        Assert.Equal(TimeSpan.FromHours(2), options.StaleUploadAge);
        var locker = provider.GetRequiredService<ILocker>();
        await locker.ForUser("alice").Uploads.UploadFileAsync(AudioFiles.Mp3("id3v23-full.mp3"), cancellationToken: ct);
        Assert.True(File.Exists(Path.Combine(folder.Path, Locker.EmbeddedDatabaseFile)));
        Assert.True(File.Exists(Path.Combine(folder.Path, Locker.EmbeddedKeyRingFile)));
    }

    [Theory]
    [InlineData("PartSize", "1000", "MusicLocker:PartSize")]
    [InlineData("PartSize", "20000", "MusicLocker:PartSize")]
    [InlineData("MaxConcurrency", "0", "MusicLocker:MaxConcurrency")]
    [InlineData("StaleUploadAge", "00:00:10", "MusicLocker:StaleUploadAge")]
    [InlineData("TenantId", "a/b", "MusicLocker:TenantId")]
    public void Invalid_settings_fail_at_start_with_a_message_naming_the_setting(string setting, string value, string named)
    {
        using var folder = new TempFolder();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MusicLocker:Folder"] = folder.Path,
            ["MusicLocker:" + setting] = value,
        }).Build();
        var services = new ServiceCollection();
        services.AddMusicLocker(configuration.GetSection("MusicLocker"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_folder_every_unconfigured_part_is_named()
    {
        var services = new ServiceCollection();
        services.AddMusicLocker().UseInMemoryStorage();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("MusicLocker:Folder", error.Message, StringComparison.Ordinal);
        Assert.Contains("UseSqlite", error.Message, StringComparison.Ordinal);
        Assert.Contains("UseLocalKeyRing", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("UseFileSystemStorage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_last_Use_call_wins()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var services = new ServiceCollection();
        services.AddMusicLocker(o => o.Folder = folder.Path)
            .UseFileSystemStorage(Path.Combine(folder.Path, "first"))
            .UseInMemoryStorage();
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<ILocker>().ForUser("alice").Uploads.UploadFileAsync(AudioFiles.Mp3("id3v23-full.mp3"), cancellationToken: ct);

        Assert.False(Directory.Exists(Path.Combine(folder.Path, "first")));
        Assert.False(Directory.Exists(Path.Combine(folder.Path, Locker.EmbeddedBlobFolder)));
    }

    [Fact]
    public async Task A_locker_copies_its_options_when_it_is_created()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var options = new MusicLockerOptions { PartSize = 16 * 1024 };
        await using var locker = await Locker.OpenEmbeddedAsync(folder.Path, options, ct);

        options.PartSize = 3;
        options.Encrypt = false;
        var result = await locker.ForUser("alice").Uploads.UploadFileAsync(AudioFiles.Mp3("big-cover.mp3"), cancellationToken: ct);

        Assert.Equal(UploadOutcome.Stored, result.Outcome);
        byte[] original = await File.ReadAllBytesAsync(AudioFiles.Mp3("big-cover.mp3"), ct);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(folder.Path, Locker.EmbeddedBlobFolder), "*.blob", SearchOption.AllDirectories))
        {
            Assert.True((await File.ReadAllBytesAsync(file, ct)).AsSpan().IndexOf(original.AsSpan(50_000, 64)) < 0, "stored in plaintext");
        }
    }

    [Fact]
    public async Task Invalid_options_for_the_embedded_default_are_a_typed_error_naming_the_setting()
    {
        using var folder = new TempFolder();
        var error = await Assert.ThrowsAsync<LockerException>(() => Locker.OpenEmbeddedAsync(folder.Path, new MusicLockerOptions { PartSize = 100 }, TestContext.Current.CancellationToken));
        Assert.Equal(LockerErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Contains("MusicLocker:PartSize", error.Message, StringComparison.Ordinal);
    }
}
