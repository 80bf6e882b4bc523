using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MusicLocker;
using MusicLocker.DependencyInjection;
using MusicLocker.Storage;
using MusicLocker.Storage.S3;
using MusicLocker.Testing.Storage;

// Usage: scaleout-worker <postgres connection string> <s3 endpoint> <bucket> <key ring path> <users,comma> <fixture;paths> <operations per lane> <seed>
// Prints one line per operation: "uploaded USER TRACK OUTCOME SHA256", "deleted USER TRACK", "read USER TRACK",
// "gone USER TRACK" (a concurrent delete won), "error …" (anything else; the exit code is then 1).
if (args.Length != 8)
{
    Console.Error.WriteLine("usage: scaleout-worker POSTGRES S3URL BUCKET KEYRING USERS FIXTURES OPS SEED");
    return 2;
}

string[] users = args[4].Split(',');
string[] fixtures = args[5].Split(';');
int operations = int.Parse(args[6], CultureInfo.InvariantCulture);
int seed = int.Parse(args[7], CultureInfo.InvariantCulture);

var services = new ServiceCollection();
services.AddMusicLocker(o => o.PartSize = 16 * 1024)
    .UseS3Storage(o =>
    {
        o.BucketName = args[2];
        o.ServiceUri = new Uri(args[1]);
        o.ForcePathStyle = true;
        o.AccessKeyId = "S3RVER";
        o.SecretAccessKey = "S3RVER";
        o.PartSize = BlobStoreLimits.MinPartSize;
    })

    // s3rver lacks ListParts: the bound S3 store is wrapped in the tests' part ledger (records shared through the bucket).
    .UseStorage<S3BlobStoreOptions>(S3StorageExtensions.SectionPath, static (o, _, _) => ValueTask.FromResult<IBlobStore>(new PartLedgerBlobStore(new S3BlobStore(o))))
    .UsePostgres(args[0])
    .UseLocalKeyRing(args[3]);
await using var provider = services.BuildServiceProvider();
provider.GetRequiredService<IStartupValidator>().Validate();
var locker = provider.GetRequiredService<ILocker>();
var output = TextWriter.Synchronized(Console.Out);
int failures = 0;

// Two lanes per process: each process also races itself.
await Task.WhenAll(Enumerable.Range(0, 2).Select(lane => Task.Run(() => RunLaneAsync(new Random(seed * 31 + lane)))));
return failures == 0 ? 0 : 1;

async Task RunLaneAsync(Random random)
{
    for (int i = 0; i < operations; i++)
    {
        string userId = users[random.Next(users.Length)];
        var user = locker.ForUser(userId);
        int dice = random.Next(4);
        try
        {
            if (dice < 2)
            {
                string file = fixtures[random.Next(fixtures.Length)];
                var result = await user.Uploads.UploadFileAsync(file);
                string sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file)));
                output.WriteLine($"uploaded {userId} {result.Track.Id} {result.Outcome} {sha}");
            }
            else
            {
                var tracks = new List<LockerTrack>();
                await foreach (var track in user.Tracks.ListAsync())
                {
                    tracks.Add(track);
                }

                if (tracks.Count == 0)
                {
                    continue;
                }

                var pick = tracks[random.Next(tracks.Count)];
                if (dice == 2)
                {
                    await DeleteAsync(user, pick);
                }
                else
                {
                    await ReadAsync(user, pick);
                }
            }
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref failures);
            output.WriteLine($"error {userId} {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
        }
    }
}

async Task DeleteAsync(IUserLocker user, LockerTrack track)
{
    try
    {
        await user.Tracks.DeleteAsync(track.Id);
        output.WriteLine($"deleted {user.UserId} {track.Id}");
    }
    catch (LockerException ex) when (ex.ErrorCode == LockerErrorCode.TrackNotFound)
    {
        output.WriteLine($"gone {user.UserId} {track.Id}");
    }
}

async Task ReadAsync(IUserLocker user, LockerTrack track)
{
    var bytes = new MemoryStream();
    try
    {
        await user.Downloads.DownloadToAsync(track.Id, bytes);
    }
    catch (LockerException)
    {
        // Deleted by a sibling between the listing and the read (or during it): a read of a deleted track may fail.
        if (await ExistsAsync(user, track.Id))
        {
            throw;
        }

        output.WriteLine($"gone {user.UserId} {track.Id}");
        return;
    }

    string sha = Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray()));
    if (sha != track.ContentHash)
    {
        throw new InvalidOperationException($"track {track.Id} read back {bytes.Length} bytes with SHA-256 {sha}, catalogued {track.ContentHash}");
    }

    output.WriteLine($"read {user.UserId} {track.Id}");
}

static async Task<bool> ExistsAsync(IUserLocker user, Guid trackId)
{
    try
    {
        await user.Tracks.GetAsync(trackId);
        return true;
    }
    catch (LockerException ex) when (ex.ErrorCode == LockerErrorCode.TrackNotFound)
    {
        return false;
    }
}
