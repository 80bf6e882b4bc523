namespace MusicLocker.Architecture.Tests;

/// <summary>The checks of the layer table, as functions of names (so they are tested on made-up assemblies too).</summary>
internal static class LayerRules
{
    /// <summary>One message per reference of <paramref name="assembly"/> to a MusicLocker assembly its row does not allow.</summary>
    public static IEnumerable<string> ReferenceViolations(IReadOnlyDictionary<string, string[]> table, string assembly, IEnumerable<string> references)
    {
        if (!table.TryGetValue(assembly, out var allowed))
        {
            yield return $"{assembly} has no row in the layer table (Layers.MayReference): add one saying which MusicLocker assemblies it may reference.";
            yield break;
        }

        foreach (string reference in references)
        {
            if (reference.StartsWith("MusicLocker.", StringComparison.Ordinal) && !allowed.Contains(reference, StringComparer.Ordinal))
            {
                string may = allowed.Length == 0 ? "nothing of ours" : string.Join(", ", allowed);
                yield return $"{assembly} references {reference}, which its layer may not (it may reference {may}).";
            }
        }
    }

    /// <summary>
    /// One message per InternalsVisibleTo from a shipped assembly to another shipped assembly, except the known ones; and
    /// one per known grant that no longer exists (so the exception list shrinks when the fix lands).
    /// </summary>
    public static IEnumerable<string> InternalsViolations(IReadOnlySet<string> shipped, IEnumerable<(string From, string To)> grants, IReadOnlyList<(string From, string To)> known)
    {
        var seen = new HashSet<(string, string)>();
        foreach (var (from, to) in grants)
        {
            if (!shipped.Contains(to))
            {
                continue; // tests and benchmarks may see internals
            }

            seen.Add((from, to));
            if (!known.Contains((from, to)))
            {
                yield return $"{from} grants InternalsVisibleTo {to}: internal API across shipped packages breaks at run time on a minor update; make it public API (or merge the assemblies).";
            }
        }

        foreach (var grant in known)
        {
            if (!seen.Contains(grant))
            {
                yield return $"{grant.From} no longer grants InternalsVisibleTo {grant.To}: delete that entry from Layers.KnownInternalsGrants.";
            }
        }
    }
}
