using System.Reflection;
using System.Runtime.CompilerServices;

namespace MusicLocker.Architecture.Tests;

/// <summary>
/// The layering of the shipped assemblies, read from the compiled assemblies' references: no layer references a layer
/// above it, no provider references another provider, and no internal API crosses shipped packages.
/// </summary>
public sealed class LayeringTests
{
    public static TheoryData<string> ShippedAssemblies() => [.. Shipped()];

    [Fact]
    public void Every_src_project_has_a_row_in_the_layer_table_and_every_row_a_project()
    {
        var shipped = Shipped();

        AssertNone(shipped.Where(name => !Layers.MayReference.ContainsKey(name)).Select(name => $"{name}: add a row to Layers.MayReference and a ProjectReference to this test project."));
        AssertNone(Layers.MayReference.Keys.Where(name => !shipped.Contains(name)).Select(name => $"{name}: no src project has this name; rename or delete its row."));
    }

    [Theory]
    [MemberData(nameof(ShippedAssemblies))]
    public void A_shipped_assembly_references_only_what_its_layer_allows(string assembly)
    {
        var references = Load(assembly).GetReferencedAssemblies().Select(r => r.Name!);

        AssertNone(LayerRules.ReferenceViolations(Layers.MayReference, assembly, references));
    }

    [Fact]
    public void No_shipped_assembly_grants_its_internals_to_another()
    {
        var shipped = Shipped();
        var grants = new List<(string From, string To)>();
        foreach (string assembly in shipped)
        {
            foreach (var attribute in Load(assembly).GetCustomAttributes<InternalsVisibleToAttribute>())
            {
                grants.Add((assembly, new AssemblyName(attribute.AssemblyName).Name!));
            }
        }

        AssertNone(LayerRules.InternalsViolations(shipped, grants, Layers.KnownInternalsGrants));
    }

    [Fact]
    public void The_reference_check_names_an_upward_reference_and_a_provider_to_provider_reference()
    {
        string[] references = ["System.Runtime", "MusicLocker.Storage", "MusicLocker.Storage.Azure", "MusicLocker.Crypto"];

        var violations = LayerRules.ReferenceViolations(Layers.MayReference, "MusicLocker.Storage.S3", references).ToArray();

        Assert.Equal(2, violations.Length);
        Assert.StartsWith("MusicLocker.Storage.S3 references MusicLocker.Storage.Azure,", violations[0], StringComparison.Ordinal);
        Assert.StartsWith("MusicLocker.Storage.S3 references MusicLocker.Crypto,", violations[1], StringComparison.Ordinal);
        Assert.Single(LayerRules.ReferenceViolations(Layers.MayReference, "MusicLocker.Storage", ["MusicLocker.Crypto"]));
        Assert.Single(LayerRules.ReferenceViolations(Layers.MayReference, "MusicLocker.Metadata.Sqlite", ["MusicLocker.Metadata.Postgres"]));
        Assert.Single(LayerRules.ReferenceViolations(Layers.MayReference, "MusicLocker.NewThing", []));
    }

    [Fact]
    public void The_internals_check_names_a_new_grant_and_a_known_grant_that_is_gone()
    {
        var shipped = new HashSet<string>(StringComparer.Ordinal) { "MusicLocker.Storage", "MusicLocker.Storage.S3", "MusicLocker.Metadata.Sql", "MusicLocker.Metadata.Sqlite", "MusicLocker.Metadata.Postgres" };
        (string, string)[] known = [("MusicLocker.Metadata.Sql", "MusicLocker.Metadata.Sqlite"), ("MusicLocker.Metadata.Sql", "MusicLocker.Metadata.Postgres")];
        (string, string)[] grants =
        [
            ("MusicLocker.Storage", "MusicLocker.Storage.Tests"),
            ("MusicLocker.Storage", "MusicLocker.Storage.S3"),
            ("MusicLocker.Metadata.Sql", "MusicLocker.Metadata.Sqlite"),
        ];

        var violations = LayerRules.InternalsViolations(shipped, grants, known).ToArray();

        Assert.Equal(2, violations.Length);
        Assert.StartsWith("MusicLocker.Storage grants InternalsVisibleTo MusicLocker.Storage.S3", violations[0], StringComparison.Ordinal);
        Assert.StartsWith("MusicLocker.Metadata.Sql no longer grants InternalsVisibleTo MusicLocker.Metadata.Postgres", violations[1], StringComparison.Ordinal);
    }

    /// <summary>Fails with every violation in full, one a line (a collection assertion would cut them short).</summary>
    private static void AssertNone(IEnumerable<string> violations)
    {
        string[] all = [.. violations];
        if (all.Length > 0)
        {
            Assert.Fail(string.Join(Environment.NewLine, all));
        }
    }

    /// <summary>The names of the src projects (each builds an assembly of its name), found from the repository.</summary>
    private static HashSet<string> Shipped()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MusicLocker.Sdk.sln")))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, $"No MusicLocker.Sdk.sln above {AppContext.BaseDirectory}.");
        return Directory.EnumerateFiles(Path.Combine(directory.FullName, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .ToHashSet(StringComparer.Ordinal)!;
    }

    private static Assembly Load(string name)
    {
        try
        {
            return Assembly.Load(new AssemblyName(name));
        }
        catch (FileNotFoundException ex)
        {
            throw new InvalidOperationException($"{name} is not built next to this test: add a ProjectReference to it in MusicLocker.Architecture.Tests.csproj.", ex);
        }
    }
}
