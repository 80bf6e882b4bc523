using System.Text.Json;
using MusicLocker.Testing;

namespace MusicLocker.Tests;

/// <summary><c>locker --metadata postgres:…</c>: the CLI keeps its catalog in PostgreSQL (the objects and key ring stay local).</summary>
public sealed class CliPostgresTests(Metadata.Tests.Servers.PostgresServer server)
{
    [Fact]
    public async Task Upload_ls_and_get_run_on_a_postgresql_catalog_and_no_sqlite_file_is_made()
    {
        TestEnvironment.RequireServer(server.Available, server.UnavailableReason);
        string metadata = "postgres:" + await server.CreateDatabaseAsync("cli");
        using var folder = new TempFolder();
        string song = AudioFiles.Mp3("vbri.mp3");

        var (upload, uploadOutput) = await LockerCli.RunAsync(folder.Path, "upload", song, "--metadata", metadata, "--json");
        Assert.True(upload == 0, uploadOutput);
        using (var uploaded = JsonDocument.Parse(uploadOutput))
        {
            Assert.Equal(1, uploaded.RootElement.GetProperty("uploaded").GetInt32());
        }

        Assert.False(File.Exists(Path.Combine(folder.Path, "locker-data", Locker.EmbeddedDatabaseFile)));
        var (ls, lsOutput) = await LockerCli.RunAsync(folder.Path, "ls", "--metadata", metadata, "--json");
        Assert.True(ls == 0, lsOutput);
        using var tracks = JsonDocument.Parse(lsOutput);
        string id = Assert.Single(tracks.RootElement.EnumerateArray().ToList()).GetProperty("id").GetString()!;

        var (get, getOutput) = await LockerCli.RunAsync(folder.Path, "get", id, "-o", "copy.mp3", "--metadata", metadata);
        Assert.True(get == 0, getOutput);
        Assert.Equal(await File.ReadAllBytesAsync(song, TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(Path.Combine(folder.Path, "copy.mp3"), TestContext.Current.CancellationToken));

        // The default (SQLite) catalog of the same folder knows nothing of it.
        var (sqliteLs, sqliteOutput) = await LockerCli.RunAsync(folder.Path, "ls", "--json");
        Assert.Equal(3, sqliteLs);
        Assert.Contains("no locker catalog", sqliteOutput, StringComparison.Ordinal);
    }
}
