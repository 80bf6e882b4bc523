using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Locker.Cli.Cli;
using MusicLocker.Storage;

namespace Locker.Cli.Commands;

/// <summary>
/// <c>migrate --to BACKEND</c>: copies every stored object (ciphertext as it is: the keys stay in the catalog and the key
/// ring) to another backend, verifies each copy by SHA-256, and only when every object is verified switches the
/// configuration file to the new backend. Interrupted, it resumes: objects already verified in the target are not copied
/// again. Until the switch the locker keeps working on the old backend (stop uploads for the last pass, so nothing new
/// arrives between that pass and the switch).
/// </summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var to = new Option<string>("--to") { Description = "The new storage: fs:PATH, s3://bucket/prefix or azure://container/prefix.", Required = true };
        var noSwitch = new Option<bool>("--no-switch") { Description = "Copy and verify only; leave the configuration as it is." };
        var command = new Command("migrate", "Copy every object to another storage backend, verify each by hash, then switch the configuration to it.") { to, noSwitch };
        command.SetAction((parse, ct) => CliHost.RunAsync(parse, ct, async context =>
        {
            var current = context.Settings;
            var target = current with { Storage = parse.GetValue(to)! };
            if (string.Equals(Normalise(current.Storage, current.Root), Normalise(target.Storage, current.Root), StringComparison.Ordinal))
            {
                throw new CliException(CliExit.Usage, $"--to '{target.Storage}' is the storage already in use.");
            }

            // The locker must exist (a read of it): migrate never creates an empty one.
            await using (await context.OpenAsync(create: false, ct))
            {
            }

            var source = CliHost.OpenStorage(current);
            var destination = CliHost.OpenStorage(target);
            int copied = 0, verified = 0;
            long bytes = 0;
            await foreach (var item in source.ListAsync(string.Empty, ct))
            {
                if (await MatchesAsync(source, destination, item, ct))
                {
                    verified++;
                    continue;
                }

                await using (var download = await source.OpenReadAsync(item.Key, new ReadBlobOptions { IfMatch = item.ETag }, ct))
                {
                    await destination.PutAsync(item.Key, download.Content, new PutBlobOptions { ContentType = download.Properties.ContentType, Metadata = download.Properties.Metadata }, ct);
                }

                if (!await MatchesAsync(source, destination, item, ct))
                {
                    throw new CliException(CliExit.Failed, $"the copy of '{item.Key}' in {target.Storage} differs from the original; nothing was switched. Run migrate again.");
                }

                copied++;
                verified++;
                bytes += item.Length;
                if (!context.Json)
                {
                    Console.WriteLine($"copied   {item.Key} ({CliHost.Size(item.Length)}), verified");
                }
            }

            string? switched = null;
            if (!parse.GetValue(noSwitch))
            {
                switched = Switch(current, target.Storage);
            }

            if (context.Json)
            {
                CliContext.Print(new JsonObject { ["to"] = target.Storage, ["objects"] = verified, ["copied"] = copied, ["copiedBytes"] = bytes, ["configuration"] = switched });
            }
            else
            {
                Console.WriteLine($"{verified} object(s) in {target.Storage} verified by SHA-256 ({copied} copied now, {CliHost.Size(bytes)}).");
                Console.WriteLine(switched is null ? "the configuration is unchanged (--no-switch)." : $"switched: {switched} now says \"storage\": \"{target.Storage}\". The old objects are left in place; remove them when you no longer need them.");
            }

            return CliExit.Ok;
        }));
        return command;
    }

    /// <summary>Whether the target holds the object with the same length and SHA-256.</summary>
    private static async Task<bool> MatchesAsync(IBlobStore source, IBlobStore destination, BlobItem item, CancellationToken ct)
    {
        BlobProperties there;
        try
        {
            there = await destination.GetPropertiesAsync(item.Key, ct);
        }
        catch (BlobStoreException ex) when (ex.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            return false;
        }

        if (there.Length != item.Length)
        {
            return false;
        }

        byte[] expected = await HashAsync(source, item.Key, ct);
        byte[] actual = await HashAsync(destination, item.Key, ct);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private static async Task<byte[]> HashAsync(IBlobStore store, BlobKey key, CancellationToken ct)
    {
        await using var download = await store.OpenReadAsync(key, null, ct);
        return await SHA256.HashDataAsync(download.Content, ct);
    }

    /// <summary>Writes the new storage into the configuration file in use, or a new <c>locker.json</c> here; returns its path.</summary>
    private static string Switch(CliSettings settings, string storage)
    {
        string path = settings.ConfigFile ?? Path.GetFullPath("locker.json");
        var json = settings.ConfigFile is null ? new JsonObject { ["root"] = Path.GetFullPath(settings.Root) } : (JsonNode.Parse(File.ReadAllText(path)) as JsonObject)!;
        json["storage"] = storage;
        string temp = path + ".tmp";
        File.WriteAllText(temp, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
        return path;
    }

    private static string Normalise(string storage, string root) =>
        storage is "fs" ? "fs:" + Path.GetFullPath(Path.Combine(root, MusicLocker.Locker.EmbeddedBlobFolder))
        : storage.StartsWith("fs:", StringComparison.Ordinal) ? "fs:" + Path.GetFullPath(storage[3..])
        : storage.TrimEnd('/');
}
