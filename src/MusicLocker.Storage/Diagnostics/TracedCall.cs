using System.Runtime.CompilerServices;
using MusicLocker.Storage.Providers;

namespace MusicLocker.Storage.Diagnostics;

/// <summary>
/// Runs one <see cref="IBlobStore"/> call inside its <see cref="StorageOperationScope"/>: the span starts before the call's
/// argument checks (so a refused call is a failed span too) and ends, marked failed when it threw, when the call ends.
/// </summary>
internal static class TracedCall
{
    public static StorageOperationScope Start(string store, string operation, BlobKey key) =>
        StorageInstrumentation.StartOperation(store, operation, key.IsDefault ? null : key);

    public static async Task<T> RunAsync<T>(string store, string operation, BlobKey key, Func<StorageOperationScope, Task<T>> call)
    {
        using var scope = Start(store, operation, key);
        try
        {
            return await call(scope).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            scope.Fail(ex);
            throw;
        }
    }

    public static async Task RunAsync(string store, string operation, BlobKey key, Func<StorageOperationScope, Task> call)
    {
        using var scope = Start(store, operation, key);
        try
        {
            await call(scope).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            scope.Fail(ex);
            throw;
        }
    }

    /// <summary>A listing as one <c>storage.list</c> span from the first item asked for to the last (or the failure), tagged with the count.</summary>
    public static async IAsyncEnumerable<BlobItem> ListAsync(string store, string prefix, IAsyncEnumerable<BlobItem> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var scope = StorageInstrumentation.StartOperation(store, "list");
        scope.Activity?.SetTag("musiclocker.blob.prefix", prefix);
        long count = 0;
        var enumerator = items.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    scope.Fail(ex);
                    throw;
                }

                if (!more)
                {
                    break;
                }

                count++;
                yield return enumerator.Current;
            }
        }

        scope.Activity?.SetTag("musiclocker.list.count", count);
    }
}
