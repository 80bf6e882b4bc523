using System.CommandLine;
using MusicLocker.Storage;

namespace Locker.Cli.Commands;

/// <summary><c>put</c>, <c>get</c>, <c>ls</c>, <c>rm</c>: the blob store at the bottom of the locker, by hand.</summary>
internal static class StoreCommands
{
    public static Command Put()
    {
        var root = CliOptions.Root();
        var key = new Argument<string>("key") { Description = "The blob key, e.g. users/ann/song.mp3." };
        var file = new Argument<string>("file") { Description = "The file to store, or - for standard input." };
        var createOnly = new Option<bool>("--create-only") { Description = "Fail if the key exists already (If-None-Match: *)." };
        var contentType = new Option<string?>("--content-type") { Description = "The content type to store with the blob." };
        var command = new Command("put", "Store a file under a key.") { root, key, file, createOnly, contentType };
        command.SetAction((parse, ct) => Run(async () =>
        {
            using var store = CliOptions.OpenStore(parse.GetValue(root)!);
            var options = new PutBlobOptions
            {
                ContentType = parse.GetValue(contentType),
                Conditions = parse.GetValue(createOnly) ? BlobRequestConditions.CreateOnly : null,
            };
            string path = parse.GetValue(file)!;
            var blobKey = BlobKey.Parse(parse.GetValue(key)!);
            BlobProperties props;
            if (path == "-")
            {
                await using var stdin = Console.OpenStandardInput();
                props = await store.PutAsync(blobKey, stdin, options, ct);
            }
            else
            {
                props = await store.PutFileAsync(blobKey, path, options, ct);
            }

            Console.WriteLine($"stored {props.Key} ({props.Length:N0} bytes, etag {props.ETag})");
        }));
        return command;
    }

    public static Command Get()
    {
        var root = CliOptions.Root();
        var key = new Argument<string>("key") { Description = "The blob key." };
        var output = new Argument<string>("file") { Description = "Where to write it, or - for standard output.", DefaultValueFactory = _ => "-" };
        var range = new Option<string?>("--range") { Description = "A byte range: OFFSET-LAST, OFFSET- or -SUFFIX (HTTP style, inclusive)." };
        var command = new Command("get", "Write a stored blob (or a byte range of it) to a file.") { root, key, output, range };
        command.SetAction((parse, ct) => Run(async () =>
        {
            using var store = CliOptions.OpenStore(parse.GetValue(root)!);
            var options = new ReadBlobOptions { Range = ParseRange(parse.GetValue(range)) };
            string path = parse.GetValue(output)!;
            await using Stream destination = path == "-" ? Console.OpenStandardOutput() : File.Create(path);
            await store.DownloadToAsync(BlobKey.Parse(parse.GetValue(key)!), destination, options, ct);
        }));
        return command;
    }

    public static Command List()
    {
        var root = CliOptions.Root();
        var prefix = new Argument<string>("prefix") { Description = "Only keys starting with this text.", DefaultValueFactory = _ => string.Empty };
        var command = new Command("ls", "List stored blobs.") { root, prefix };
        command.SetAction((parse, ct) => Run(async () =>
        {
            using var store = CliOptions.OpenStore(parse.GetValue(root)!);
            await foreach (var item in store.ListAsync(parse.GetValue(prefix)!, ct))
            {
                Console.WriteLine($"{item.Length,14:N0}  {item.LastModified:yyyy-MM-dd HH:mm:ss}  {item.Key}");
            }
        }));
        return command;
    }

    public static Command Remove()
    {
        var root = CliOptions.Root();
        var key = new Argument<string>("key") { Description = "The blob key." };
        var command = new Command("rm", "Delete a stored blob.") { root, key };
        command.SetAction((parse, ct) => Run(async () =>
        {
            using var store = CliOptions.OpenStore(parse.GetValue(root)!);
            var blobKey = BlobKey.Parse(parse.GetValue(key)!);
            if (!await store.DeleteAsync(blobKey, null, ct))
            {
                throw new BlobNotFoundException(blobKey.Value);
            }
        }));
        return command;
    }

    /// <summary>Runs a command body, turning storage errors into a one-line message and exit code 1 (2 for a condition).</summary>
    public static async Task<int> Run(Func<Task> body)
    {
        try
        {
            await body();
            return 0;
        }
        catch (MusicLocker.LockerException ex)
        {
            await Console.Error.WriteLineAsync($"locker: {ex.ErrorCode}: {ex.Message}");
            return 1;
        }
        catch (BlobStoreException ex)
        {
            await Console.Error.WriteLineAsync($"locker: {ex.ErrorCode}: {ex.Message}");
            return ex.ErrorCode == BlobErrorCode.ConditionFailed ? 2 : 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            await Console.Error.WriteLineAsync($"locker: {ex.Message}");
            return 1;
        }
    }

    private static ByteRange ParseRange(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return ByteRange.All;
        }

        int dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            throw new FormatException($"--range '{text}' is not OFFSET-LAST, OFFSET- or -SUFFIX.");
        }

        var culture = System.Globalization.CultureInfo.InvariantCulture;
        if (dash == 0)
        {
            return ByteRange.Suffix(long.Parse(text.AsSpan(1), culture));
        }

        long first = long.Parse(text.AsSpan(0, dash), culture);
        return dash == text.Length - 1 ? new ByteRange(first) : new ByteRange(first, long.Parse(text.AsSpan(dash + 1), culture) - first + 1);
    }
}
