namespace MusicLocker.Packaging.Tests;

/// <summary>The example in each package's README compiles against the packages as a user installs them.</summary>
public sealed class ReadmeExamplesTests(PackedSolution packed)
{
    [Fact]
    public async Task The_example_of_every_package_readme_compiles_against_the_packed_packages()
    {
        var ct = TestContext.Current.CancellationToken;
        var app = await FeedApp.CreateAsync(packed, "ReadmeExamples", packed.SourceProjects, ct);
        var compiled = new List<string>();
        foreach (var name in packed.SourceProjects)
        {
            string? example = Readme.FirstExample(await File.ReadAllTextAsync(Path.Combine(packed.RepositoryRoot, "src", name, "README.md"), ct));
            if (example is null)
            {
                Assert.True(Readme.HasNoPublicApi(packed.RepositoryRoot, name), $"src/{name}/README.md has no ```csharp example");
                continue;
            }

            await File.WriteAllTextAsync(Path.Combine(app.Folder, $"Readme.{name}.cs"), Readme.AsMethod(name, example), ct);
            compiled.Add(name);
        }

        await File.WriteAllTextAsync(Path.Combine(app.Folder, "Program.cs"), "Console.WriteLine(\"compiled\");\n", ct);
        var (exit, log) = await app.BuildAsync(ct);
        var errors = log.Split('\n').Where(l => l.Contains(": error ", StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(exit == 0, $"README examples of {string.Join(", ", compiled)} do not compile:\n{string.Join('\n', errors)}\n{DotnetCli.Tail(log, 20)}");
        Assert.Contains("MusicLocker", compiled);
    }
}
