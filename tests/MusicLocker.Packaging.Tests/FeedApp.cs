using System.Xml.Linq;

namespace MusicLocker.Packaging.Tests;

/// <summary>
/// A console app in a temp folder outside the repository (so none of its Directory.*.props apply) that restores from
/// the packed feed plus the package sources this machine already uses, into its own package folder.
/// </summary>
internal sealed class FeedApp
{
    private FeedApp(string folder, string packagesFolder)
    {
        Folder = folder;
        PackagesFolder = packagesFolder;
    }

    public string Folder { get; }

    /// <summary>The app's own global packages folder (so a package of the same version cached earlier is never taken).</summary>
    public string PackagesFolder { get; }

    public static async Task<FeedApp> CreateAsync(PackedSolution packed, string name, IEnumerable<string> packageIds, CancellationToken ct)
    {
        string root = Path.Combine(packed.Scratch, name);
        string app = Path.Combine(root, "app");
        string packages = Path.Combine(root, "packages");
        Directory.CreateDirectory(app);
        Assert.False(Path.GetFullPath(app).StartsWith(packed.RepositoryRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal));

        // Nothing above the app may leak in: empty Directory.Build.* and Directory.Packages.props stop MSBuild's upward search.
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            await File.WriteAllTextAsync(Path.Combine(app, file), "<Project />\n", ct);
        }

        var sources = await MachineSourcesAsync(app, ct);
        string machinePackages = await MachinePackagesFolderAsync(app, ct);
        // The machine's package folder serves the third-party dependencies without a download, unless a MusicLocker
        // package of this version already sits there (NuGet would take it instead of the feed's).
        bool useFallback = !packed.SourceProjects.Any(id =>
            Directory.Exists(Path.Combine(machinePackages, id.ToLowerInvariant(), packed.ExpectedVersion)));
        var config = new XElement("configuration",
            new XElement("packageSources",
                new XElement("clear"),
                new XElement("add", new XAttribute("key", "musiclocker-packed"), new XAttribute("value", packed.Feed)),
                sources.Select((s, i) => new XElement("add", new XAttribute("key", $"machine-{i}"), new XAttribute("value", s)))),
            new XElement("fallbackPackageFolders",
                new XElement("clear"),
                useFallback ? new XElement("add", new XAttribute("key", "machine"), new XAttribute("value", machinePackages)) : null),
            new XElement("config",
                new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", packages))));
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), config.ToString(), ct);

        var project = new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"),
            new XElement("PropertyGroup",
                new XElement("OutputType", "Exe"),
                new XElement("TargetFramework", "net10.0"),
                new XElement("AssemblyName", name),
                new XElement("Nullable", "enable"),
                new XElement("ImplicitUsings", "enable"),
                new XElement("TreatWarningsAsErrors", "true"),
                // As in the repository: the registry copy here lacks a few exact versions of third-party dependencies.
                new XElement("WarningsNotAsErrors", "NU1603")),
            new XElement("ItemGroup",
                packageIds.Select(id => new XElement("PackageReference", new XAttribute("Include", id), new XAttribute("Version", $"[{packed.ExpectedVersion}]")))));
        await File.WriteAllTextAsync(Path.Combine(app, name + ".csproj"), project.ToString(), ct);
        return new FeedApp(app, packages);
    }

    /// <summary><c>dotnet build -c Release</c> (restore included), with this app's package folder.</summary>
    public Task<(int ExitCode, string Output)> BuildAsync(CancellationToken ct) =>
        DotnetCli.RunAsync(
            Folder, ["build", "-c", "Release", "--disable-build-servers", "-nodeReuse:false"], TimeSpan.FromMinutes(10), ct,
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = PackagesFolder });

    /// <summary>The enabled package sources this machine's NuGet configuration lists (read outside the repository).</summary>
    private static async Task<IReadOnlyList<string>> MachineSourcesAsync(string folder, CancellationToken ct)
    {
        var (exit, output) = await DotnetCli.RunAsync(folder, ["nuget", "list", "source", "--format", "short"], TimeSpan.FromMinutes(2), ct);
        Assert.True(exit == 0, output);
        var sources = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("E ", StringComparison.Ordinal))
            .Select(l => l[2..].Trim())
            .ToList();
        Assert.True(sources.Count > 0, $"no enabled package source on this machine:\n{output}");
        return sources;
    }

    /// <summary>The machine's global packages folder.</summary>
    private static async Task<string> MachinePackagesFolderAsync(string folder, CancellationToken ct)
    {
        var (exit, output) = await DotnetCli.RunAsync(folder, ["nuget", "locals", "global-packages", "--list"], TimeSpan.FromMinutes(2), ct);
        Assert.True(exit == 0, output);
        var line = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("global-packages:", StringComparison.Ordinal));
        return line["global-packages:".Length..].Trim().TrimEnd('/');
    }
}
