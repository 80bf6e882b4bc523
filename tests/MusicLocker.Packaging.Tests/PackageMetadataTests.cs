using System.IO.Compression;
using System.Reflection.Metadata;
using System.Xml.Linq;
using MusicLocker.Testing;

namespace MusicLocker.Packaging.Tests;

/// <summary>What a user sees of each package on a feed: README, description, tags, licence, docs, symbols, dependencies.</summary>
public sealed class PackageMetadataTests(PackedSolution packed)
{
    /// <summary>Every src project, enumerated when the tests are discovered (a new project is checked without a test change).</summary>
    public static TheoryData<string> SourceProjects() => [.. PackedSolution.SourceProjectNames(TestEnvironment.RepositoryRoot)];

    private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    [Fact]
    public void Pack_of_the_solution_makes_a_package_and_a_symbol_package_for_every_src_project_and_nothing_else()
    {
        Assert.NotEmpty(packed.SourceProjects);
        var expected = packed.SourceProjects
            .SelectMany(name => new[] { $"{name}.{packed.ExpectedVersion}.nupkg", $"{name}.{packed.ExpectedVersion}.snupkg" })
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected, packed.FeedFiles);
    }

    [Fact]
    public void Pack_of_the_solution_prints_no_warning()
    {
        // NU1603 (a dependency resolved one version up) is the registry copy's gap, allowed for every build here.
        var warnings = packed.PackLog.Split('\n')
            .Where(l => l.Contains(": warning ", StringComparison.Ordinal) && !l.Contains("NU1603", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(warnings);
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Package_carries_its_own_readme_with_an_install_line_and_an_example(string name)
    {
        var package = Package(name);
        Assert.Equal("README.md", package.Get("readme"));
        Assert.Contains("README.md", package.Entries);
        string source = File.ReadAllText(Path.Combine(packed.RepositoryRoot, "src", name, "README.md"));
        Assert.Equal(source, package.ReadText("README.md"));
        Assert.StartsWith($"# {name}\n", source.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains($"dotnet add package {name}", source, StringComparison.Ordinal);
        if (!Readme.HasNoPublicApi(packed.RepositoryRoot, name))
        {
            Assert.NotNull(Readme.FirstExample(source)); // compiled by ReadmeExamplesTests
        }
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Docs_packages_md_has_a_row_for_the_package_naming_each_package_it_depends_on(string name)
    {
        string? row = File.ReadAllLines(Path.Combine(packed.RepositoryRoot, "docs", "packages.md"))
            .FirstOrDefault(l => l.StartsWith($"| `{name}` |", StringComparison.Ordinal));
        Assert.True(row is not null, $"docs/packages.md has no row for {name}");
        var dependsOn = row.Split('|')[3].Split([' ', ',', ';', '(', ')'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        foreach (var reference in ProjectReferences(name))
        {
            string shortName = reference == "MusicLocker" ? reference : reference["MusicLocker.".Length..];
            Assert.True(dependsOn.Contains(shortName), $"docs/packages.md: the row of {name} does not name {shortName}");
        }
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Package_has_a_real_description_its_own_tags_the_mit_licence_and_the_one_version(string name)
    {
        var package = Package(name);
        Assert.Equal(packed.ExpectedVersion, package.Version);

        string description = package.Get("description") ?? "";
        Assert.False(string.IsNullOrWhiteSpace(description), $"{name}: no description");
        Assert.NotEqual("Package Description", description);
        Assert.DoesNotContain('\n', description);

        var tags = (package.Get("tags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("musiclocker", tags);
        Assert.True(tags.Length >= 4, $"{name}: tags '{string.Join(' ', tags)}' are only the shared ones");

        var license = package.Element("license");
        Assert.NotNull(license);
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);
        Assert.NotEqual(name, package.Get("authors")); // the SDK's default is the package id
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Package_has_the_assembly_with_xml_docs_and_a_symbol_package_with_its_pdb(string name)
    {
        var package = Package(name);
        Assert.Contains($"lib/net10.0/{name}.dll", package.Entries);
        Assert.Contains($"lib/net10.0/{name}.xml", package.Entries);
        string xml = package.ReadText($"lib/net10.0/{name}.xml");
        Assert.Contains($"<name>{name}</name>", xml, StringComparison.Ordinal);
        if (!Readme.HasNoPublicApi(packed.RepositoryRoot, name))
        {
            Assert.Contains("<member name=", xml, StringComparison.Ordinal);
        }

        string snupkg = Path.ChangeExtension(package.Path, ".snupkg");
        using var zip = ZipFile.OpenRead(snupkg);
        var pdb = zip.GetEntry($"lib/net10.0/{name}.pdb");
        Assert.NotNull(pdb);

        // A portable PDB whose generated files (not in git) are embedded, and, built under CI=true, whose paths are
        // normalized (/_/…) so the build does not depend on where the clone is.
        using var pdbBytes = new MemoryStream();
        using (var s = pdb.Open())
        {
            s.CopyTo(pdbBytes);
        }

        pdbBytes.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdbBytes);
        var reader = provider.GetMetadataReader();
        var documents = reader.Documents.Select(h => (Handle: h, Name: reader.GetString(reader.GetDocument(h).Name))).ToList();
        Assert.NotEmpty(documents);
        var assemblyInfo = documents.Single(d => d.Name.EndsWith($"{name}.AssemblyInfo.cs", StringComparison.Ordinal));
        bool embedded = reader.GetCustomDebugInformation(assemblyInfo.Handle)
            .Any(c => reader.GetGuid(reader.GetCustomDebugInformation(c).Kind) == EmbeddedSourceKind);
        Assert.True(embedded, $"{name}: the generated {assemblyInfo.Name} is not embedded in the PDB (EmbedUntrackedSources)");
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.All(documents, d => Assert.StartsWith("/_/", d.Name, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Package_dependencies_are_exactly_the_project_and_package_references_of_its_project(string name)
    {
        var package = Package(name);
        var project = XDocument.Load(Path.Combine(packed.RepositoryRoot, "src", name, name + ".csproj"));
        var projectReferences = ProjectReferences(name);
        var packageReferences = project.Descendants("PackageReference")
            .Where(r => !string.Equals(r.Attribute("PrivateAssets")?.Value ?? r.Element("PrivateAssets")?.Value, "all", StringComparison.OrdinalIgnoreCase))
            .Select(r => r.Attribute("Include")!.Value)
            .ToHashSet(StringComparer.Ordinal);
        var centralVersions = XDocument.Load(Path.Combine(packed.RepositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(p => p.Attribute("Include")!.Value, p => p.Attribute("Version")!.Value, StringComparer.Ordinal);

        var dependencies = package.Dependencies;
        var ours = dependencies.Keys.Where(IsOurs).ToHashSet(StringComparer.Ordinal);
        var theirs = dependencies.Keys.Where(id => !IsOurs(id)).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(projectReferences.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
        Assert.Equal(packageReferences.Order(StringComparer.Ordinal), theirs.Order(StringComparer.Ordinal));
        foreach (var id in ours)
        {
            Assert.Equal(packed.ExpectedVersion, dependencies[id]);
            Assert.True(packed.Packages.ContainsKey(id), $"{name} depends on {id}, which the pack did not produce");
            Assert.DoesNotContain(".Tests", id, StringComparison.Ordinal);
            Assert.DoesNotContain("Testing", id, StringComparison.Ordinal);
            Assert.DoesNotContain("Benchmarks", id, StringComparison.Ordinal);
        }

        foreach (var id in theirs)
        {
            Assert.Equal(centralVersions[id], dependencies[id]);
        }
    }

    private HashSet<string> ProjectReferences(string name) =>
        XDocument.Load(Path.Combine(packed.RepositoryRoot, "src", name, name + ".csproj"))
            .Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToHashSet(StringComparer.Ordinal);

    private static bool IsOurs(string id) => id == "MusicLocker" || id.StartsWith("MusicLocker.", StringComparison.Ordinal);

    private PackedPackage Package(string name) =>
        packed.Packages.TryGetValue(name, out var package)
            ? package
            : throw new Xunit.Sdk.XunitException($"no package {name} in {packed.Feed} ({string.Join(", ", packed.FeedFiles)})");
}
