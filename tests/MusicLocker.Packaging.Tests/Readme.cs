using System.Text;
using System.Text.RegularExpressions;

namespace MusicLocker.Packaging.Tests;

/// <summary>A package's README and public API as the repository holds them.</summary>
internal static partial class Readme
{
    /// <summary>The first <c>```csharp</c> block of a README (the package's example), or null.</summary>
    public static string? FirstExample(string readme)
    {
        var match = CSharpBlock().Match(readme.ReplaceLineEndings("\n"));
        return match.Success ? match.Groups["code"].Value : null;
    }

    /// <summary>
    /// The example as a compilable file: its <c>using</c> directives first, its statements the body of an async method
    /// (examples are statements, like a Program.cs, and declare everything they use).
    /// </summary>
    public static string AsMethod(string packageId, string example)
    {
        var usings = new StringBuilder();
        var body = new StringBuilder();
        foreach (var line in example.Split('\n'))
        {
            (UsingDirective().IsMatch(line) ? usings : body).Append(line).Append('\n');
        }

        string type = "Example_" + packageId.Replace('.', '_');
        return $$"""
            {{usings}}
            #pragma warning disable CS0168, CS0219, CS1998 // an example's variables are there to be read, not used
            namespace ReadmeExamples;

            internal static class {{type}}
            {
                internal static async Task RunAsync()
                {
            #line 1 "src/{{packageId}}/README.md example, statements only"
            {{body}}
            #line default
                }
            }
            """;
    }

    /// <summary>True when the project declares no public API yet (PublicAPI.*.txt hold nothing): nothing to exemplify.</summary>
    public static bool HasNoPublicApi(string repositoryRoot, string name) =>
        new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" }
            .Select(f => Path.Combine(repositoryRoot, "src", name, f))
            .Where(File.Exists)
            .SelectMany(File.ReadAllLines)
            .All(l => string.IsNullOrWhiteSpace(l) || l.Trim() == "#nullable enable");

    [GeneratedRegex(@"^```csharp\n(?<code>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"^using (static )?[A-Za-z_][\w.]*( = [\w.<>]+)?;\s*(//.*)?$")]
    private static partial Regex UsingDirective();
}
