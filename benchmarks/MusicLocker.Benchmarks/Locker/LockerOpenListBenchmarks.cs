using BenchmarkDotNet.Attributes;
using MusicLocker.Benchmarks.Crypto;
using MusicLocker.Metadata;
using MusicLocker.Metadata.Sqlite;

namespace MusicLocker.Benchmarks.Locker;

/// <summary>
/// Issue 11 (report only): open the embedded default (file-system store, SQLite, key ring) and list a user's 10,000
/// tracks through the facade, then close it. The catalog is seeded once through the metadata store. Run:
/// <c>dotnet run -c Release --project benchmarks/MusicLocker.Benchmarks -- --filter '*LockerOpenListBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class LockerOpenListBenchmarks
{
    private const string User = "collector";
    private const int TrackCount = 10_000;

    private string _folder = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "musiclocker-list-bench-" + Guid.NewGuid().ToString("N"));

        // Create the embedded default's files, then add the tracks through its database.
        await (await global::MusicLocker.Locker.OpenEmbeddedAsync(_folder)).DisposeAsync();
        var store = await SqliteMetadataStore.OpenAsync(new SqliteMetadataStoreOptions { DatabasePath = Path.Combine(_folder, global::MusicLocker.Locker.EmbeddedDatabaseFile) });
        await using (store)
        {
            await store.Users.EnsureAsync(User, "gb-1000");
            string prefix = LockerMetadataOptions.DefaultStorageKeyPrefix(User);
            for (int i = 0; i < TrackCount; i++)
            {
                var tags = new TrackTags($"Title {i}", $"Artist {i / 50}", $"Album {i / 10}", null, "Rock", 2000 + (i % 25), (i % 10) + 1, 10, 1, 1);
                string hash = i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);
                await store.Tracks.AddTrackAsync(User, new NewTrack(tags, TimeSpan.FromMinutes(3), "mp3", 256, 5_000_000, hash, hash, IsPurchased: true, prefix + "tracks/" + hash));
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Description = "Open the embedded default and list 10,000 tracks")]
    public async Task<int> OpenAndList()
    {
        var locker = await global::MusicLocker.Locker.OpenEmbeddedAsync(_folder);
        await using (locker)
        {
            int count = 0;
            await foreach (var track in locker.ForUser(User).Tracks.ListAsync())
            {
                count += track.Tags.Title.Length > 0 ? 1 : 0;
            }

            return count == TrackCount ? count : throw new InvalidOperationException($"Listed {count} tracks, not {TrackCount}.");
        }
    }
}
