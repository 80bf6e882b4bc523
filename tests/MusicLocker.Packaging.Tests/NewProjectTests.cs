using System.IO.Compression;

namespace MusicLocker.Packaging.Tests;

/// <summary>
/// A project added under src/ later (as the Hosting.* packages will be) gets every package setting from
/// src/Directory.Build.props without a line of its own, and cannot be packed without its description, tags and README.
/// Run in a copy of the repository's build files in a temp folder, so the real src/ is never touched.
/// </summary>
public sealed class NewProjectTests(PackedSolution packed)
{
    private const string Name = "MusicLocker.Fresh";

    [Fact]
    public async Task A_new_src_project_is_refused_at_pack_without_description_tags_and_readme_and_then_packs_with_every_setting()
    {
        var ct = TestContext.Current.CancellationToken;
        string root = Path.Combine(packed.Scratch, "new-project");
        string project = Path.Combine(root, "src", Name);
        Directory.CreateDirectory(project);
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", Path.Combine("src", "Directory.Build.props") })
        {
            File.Copy(Path.Combine(packed.RepositoryRoot, file), Path.Combine(root, file));
        }

        await File.WriteAllTextAsync(Path.Combine(project, Name + ".csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />\n", ct);
        await File.WriteAllTextAsync(Path.Combine(project, "PublicAPI.Shipped.txt"), "#nullable enable\n", ct);
        await File.WriteAllTextAsync(Path.Combine(project, "PublicAPI.Unshipped.txt"), "#nullable enable\nMusicLocker.Fresh.Greeting\nstatic MusicLocker.Fresh.Greeting.Text.get -> string!\n", ct);
        await File.WriteAllTextAsync(Path.Combine(project, "Greeting.cs"), """
            namespace MusicLocker.Fresh;

            /// <summary>A greeting.</summary>
            public static class Greeting
            {
                /// <summary>The text.</summary>
                public static string Text => "hello";
            }
            """, ct);
        string feed = Path.Combine(root, "feed");

        var (refusedExit, refusedLog) = await PackAsync(project, feed, [], ct);
        Assert.NotEqual(0, refusedExit);
        Assert.Contains("MLPACK001", refusedLog, StringComparison.Ordinal);
        Assert.Contains($"add src/{Name}/README.md", refusedLog, StringComparison.Ordinal);
        Assert.Contains("set <Description>", refusedLog, StringComparison.Ordinal);
        Assert.Contains("<PackageTags>$(PackageTags);mytag</PackageTags>", refusedLog, StringComparison.Ordinal);
        Assert.False(Directory.Exists(feed) && Directory.EnumerateFiles(feed).Any(), "a package was written despite the refusal");

        await File.WriteAllTextAsync(Path.Combine(project, Name + ".csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <Description>A fresh package.</Description>
                <PackageTags>$(PackageTags);fresh</PackageTags>
              </PropertyGroup>
            </Project>
            """, ct);
        await File.WriteAllTextAsync(Path.Combine(project, "README.md"), $"# {Name}\n\nFresh.\n", ct);

        // The one version of Directory.Build.props, with a pre-release suffix from the command line.
        var (exit, log) = await PackAsync(project, feed, ["-p:VersionSuffix=preview.7"], ct);
        Assert.True(exit == 0, DotnetCli.Tail(log));
        string version = packed.ExpectedVersion + "-preview.7";
        Assert.Equal(
            [$"{Name}.{version}.nupkg", $"{Name}.{version}.snupkg"],
            Directory.GetFiles(feed).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var package = PackedPackage.Read(Path.Combine(feed, $"{Name}.{version}.nupkg"));
        Assert.Equal(version, package.Version);
        Assert.Equal("README.md", package.Get("readme"));
        Assert.Contains("README.md", package.Entries);
        Assert.Equal("MIT", package.Element("license")?.Value);
        Assert.Equal("musiclocker music fresh", package.Get("tags"));
        Assert.Contains($"lib/net10.0/{Name}.xml", package.Entries);
        using (var symbols = ZipFile.OpenRead(Path.Combine(feed, $"{Name}.{version}.snupkg")))
        {
            Assert.NotNull(symbols.GetEntry($"lib/net10.0/{Name}.pdb"));
        }

        // Deterministic: compiled again from scratch, the same sources give the same assembly, byte for byte.
        string again = Path.Combine(root, "feed-again");
        Directory.Delete(Path.Combine(project, "bin"), recursive: true);
        Directory.Delete(Path.Combine(project, "obj"), recursive: true);
        var (againExit, againLog) = await PackAsync(project, again, ["-p:VersionSuffix=preview.7"], ct);
        Assert.True(againExit == 0, DotnetCli.Tail(againLog));
        Assert.Equal(
            package.ReadBytes($"lib/net10.0/{Name}.dll"),
            PackedPackage.Read(Path.Combine(again, $"{Name}.{version}.nupkg")).ReadBytes($"lib/net10.0/{Name}.dll"));
    }

    private static Task<(int ExitCode, string Output)> PackAsync(string project, string feed, IReadOnlyList<string> extra, CancellationToken ct) =>
        DotnetCli.RunAsync(
            project,
            ["pack", "-c", "Release", "-o", feed, "--disable-build-servers", "-nodeReuse:false", .. extra],
            TimeSpan.FromMinutes(10),
            ct);
}
