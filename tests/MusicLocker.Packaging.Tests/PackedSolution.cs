using System.IO.Compression;
using System.Xml.Linq;
using MusicLocker.Packaging.Tests;
using MusicLocker.Testing;

[assembly: AssemblyFixture(typeof(PackedSolution))]

namespace MusicLocker.Packaging.Tests;

/// <summary>
/// <c>dotnet pack MusicLocker.Sdk.sln -c Release -o FEED</c>, run once per test run (the documented command, in the
/// repository's own build folders, so after a Release build it only packs), shared by every test here.
/// </summary>
public sealed class PackedSolution : IAsyncLifetime
{
    private readonly TempFolder _temp = new();

    public string RepositoryRoot { get; } = TestEnvironment.RepositoryRoot;

    /// <summary>The local folder the packages were written to (a NuGet feed).</summary>
    public string Feed => Path.Combine(_temp.Path, "feed");

    /// <summary>A scratch folder for the tests (deleted with the fixture).</summary>
    public string Scratch => Path.Combine(_temp.Path, "scratch");

    /// <summary>Every package written, by id.</summary>
    public IReadOnlyDictionary<string, PackedPackage> Packages { get; private set; } = new Dictionary<string, PackedPackage>();

    /// <summary>What <c>dotnet pack</c> printed.</summary>
    public string PackLog { get; private set; } = "";

    /// <summary>The files the pack wrote to the feed.</summary>
    public IReadOnlyList<string> FeedFiles { get; private set; } = [];

    /// <summary>The src projects (src/NAME/NAME.csproj), found now: projects added later are checked without a test change.</summary>
    public IReadOnlyList<string> SourceProjects => SourceProjectNames(RepositoryRoot);

    public static IReadOnlyList<string> SourceProjectNames(string repositoryRoot) =>
        [.. Directory.GetDirectories(Path.Combine(repositoryRoot, "src"))
            .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")))
            .Select(Path.GetFileName)
            .Cast<string>()
            .Order(StringComparer.Ordinal)];

    /// <summary>The one version, as Directory.Build.props sets it (VersionPrefix; no suffix in a plain pack).</summary>
    public string ExpectedVersion =>
        XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value.Trim();

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(Scratch);
        var (exit, log) = await DotnetCli.RunAsync(
            RepositoryRoot,
            ["pack", "MusicLocker.Sdk.sln", "-c", "Release", "-o", Feed, "--disable-build-servers", "-nodeReuse:false"],
            TimeSpan.FromMinutes(20),
            CancellationToken.None);
        PackLog = log;
        if (exit != 0)
        {
            throw new InvalidOperationException($"dotnet pack MusicLocker.Sdk.sln failed ({exit}):\n{DotnetCli.Tail(log)}");
        }

        FeedFiles = [.. Directory.GetFiles(Feed).Select(Path.GetFileName).Cast<string>().Order(StringComparer.Ordinal)];
        var packages = new Dictionary<string, PackedPackage>(StringComparer.Ordinal);
        foreach (var nupkg in Directory.GetFiles(Feed, "*.nupkg"))
        {
            var package = PackedPackage.Read(nupkg);
            packages.Add(package.Id, package);
        }

        Packages = packages;
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A .nupkg as NuGet sees it: its nuspec and its file list.</summary>
public sealed record PackedPackage(string Path, XDocument Nuspec, IReadOnlyList<string> Entries)
{
    public static PackedPackage Read(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var nuspecEntry = zip.Entries.Single(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XDocument nuspec;
        using (var stream = nuspecEntry.Open())
        {
            nuspec = XDocument.Load(stream);
        }

        return new PackedPackage(path, nuspec, [.. zip.Entries.Select(e => e.FullName)]);
    }

    private XElement Metadata => Nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");

    /// <summary>A metadata element's text, or null.</summary>
    public string? Get(string name) => Metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    public XElement? Element(string name) => Metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    public string Id => Get("id")!;

    public string Version => Get("version")!;

    /// <summary>The dependencies of the net10.0 group: id → version range.</summary>
    public IReadOnlyDictionary<string, string> Dependencies =>
        Metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value, StringComparer.Ordinal);

    /// <summary>The bytes of a file in the package.</summary>
    public byte[] ReadBytes(string entry)
    {
        using var zip = ZipFile.OpenRead(Path);
        using var stream = zip.GetEntry(entry)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The text of a file in the package.</summary>
    public string ReadText(string entry)
    {
        using var zip = ZipFile.OpenRead(Path);
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }
}
