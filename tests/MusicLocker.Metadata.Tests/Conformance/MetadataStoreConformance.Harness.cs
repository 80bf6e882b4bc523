using MusicLocker.Metadata;

namespace MusicLocker.Metadata.Tests.Conformance;

public abstract partial class MetadataStoreConformance
{
    /// <summary>Text no store may accept anywhere: a NUL (from an <c>©nam</c> tag), unpaired surrogates, and 100 KB.</summary>
    protected static readonly string[] HostileTexts =
    [
        "a\0b",
        "\0",
        "x\uD800",
        "x\uDBFF",
        "\uDC00y",
        "\uDC00\uD800",
        new string('t', 100_000),
    ];

    /// <summary>One hostile call: its name, the parameter the error must name, and the call.</summary>
    protected sealed record HostileCall(string Name, string Parameter, Func<Task> Call);

    /// <summary>
    /// Runs every call and collects each one that did not fail with a <see cref="MetadataArgumentException"/> naming the
    /// expected parameter, coded <see cref="MetadataErrorCode.InvalidArgument"/> and not transient, so one run reports
    /// every gap rather than the first.
    /// </summary>
    protected static async Task AssertAllRefusedAsync(IEnumerable<HostileCall> calls)
    {
        var failures = new List<string>();
        int count = 0;
        foreach (var call in calls)
        {
            count++;
            try
            {
                await call.Call();
                failures.Add($"{call.Name}: accepted");
            }
            catch (MetadataArgumentException error)
            {
                if (error.ErrorCode != MetadataErrorCode.InvalidArgument || error.IsTransient || !error.ParameterName.StartsWith(call.Parameter, StringComparison.Ordinal))
                {
                    failures.Add($"{call.Name}: code {error.ErrorCode}, transient {error.IsTransient}, parameter '{error.ParameterName}' (expected '{call.Parameter}')");
                }
            }
            catch (Exception error)
            {
                failures.Add($"{call.Name}: {error.GetType().Name} {(error as LockerMetadataException)?.ErrorCode} transient={(error as LockerMetadataException)?.IsTransient}: {Shorten(error.Message)}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {count} hostile calls were not refused cleanly:\n" + string.Join("\n", failures));
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    /// <summary>A readable label for a hostile string.</summary>
    protected static string Label(string text) => text.Length > 20 ? $"{text.Length:N0} chars" : string.Concat(text.Select(c => c < ' ' || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
