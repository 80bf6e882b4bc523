using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace MusicLocker.Storage.Providers;

/// <summary>
/// Runs one <see cref="IBlobStore"/> call inside its span (<see cref="StorageInstrumentation.StartOperation"/>): the span
/// starts before the call runs, so check the call's arguments inside <c>call</c> and a refused call is a failed span too;
/// it ends when the call's task ends, marked failed (<see cref="StorageOperationScope.Fail"/>) when the call threw.
/// </summary>
/// <example>
/// <code>
/// public Task&lt;bool&gt; DeleteAsync(BlobKey key, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default) =&gt;
///     TracedCall.RunAsync("gcs", "delete", key, async scope =&gt;
///     {
///         BlobStoreValidation.Key(key);
///         return await DeleteCoreAsync(key, conditions, cancellationToken);
///     }, ActivityKind.Client, ex =&gt; ex is GcsException g ? MapToBlobStoreException(g, key) : ex);
/// </code>
/// </example>
public static class TracedCall
{
    /// <summary>Runs <paramref name="call"/> inside the span <c>storage.{operation}</c> of <paramref name="store"/>.</summary>
    /// <param name="store">The store's short name (<c>musiclocker.store</c>).</param>
    /// <param name="operation">The operation (<c>read</c>, <c>put</c>, <c>multipart.complete</c>, …).</param>
    /// <param name="key">The call's blob key; <see langword="default"/> tags none (a refused default key is still traced).</param>
    /// <param name="call">The call; its scope takes range and byte tags (<see cref="StorageOperationScope.SetRange"/>, <see cref="StorageOperationScope.SetBytes"/>).</param>
    /// <param name="kind"><see cref="ActivityKind.Client"/> for a store that talks to a server.</param>
    /// <param name="translate">
    /// Called with what the call threw; returns what the caller gets: the exception itself, or its translation (a service
    /// SDK's exception as a <see cref="BlobStoreException"/>). The span is marked failed with the returned exception. It
    /// must not throw.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="store"/> or <paramref name="operation"/> is empty.</exception>
    public static Task<T> RunAsync<T>(string store, string operation, BlobKey key, Func<StorageOperationScope, Task<T>> call, ActivityKind kind = ActivityKind.Internal, Func<Exception, Exception>? translate = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        return RunCoreAsync(store, operation, key, kind, call, translate);
    }

    /// <inheritdoc cref="RunAsync{T}(string, string, BlobKey, Func{StorageOperationScope, Task{T}}, ActivityKind, Func{Exception, Exception}?)"/>
    public static Task RunAsync(string store, string operation, BlobKey key, Func<StorageOperationScope, Task> call, ActivityKind kind = ActivityKind.Internal, Func<Exception, Exception>? translate = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        return RunCoreAsync(store, operation, key, kind, async s =>
        {
            await call(s).ConfigureAwait(false);
            return true;
        }, translate);
    }

    /// <summary>
    /// A listing as one <c>storage.list</c> span from the first item asked for to the last (or the failure), tagged with
    /// the prefix and the count. Translate failures inside <paramref name="items"/> (per page); this only marks the span.
    /// </summary>
    /// <param name="store">The store's short name (<c>musiclocker.store</c>).</param>
    /// <param name="prefix">The listing's prefix (tag <c>musiclocker.blob.prefix</c>).</param>
    /// <param name="items">The store's own listing.</param>
    /// <param name="kind"><see cref="ActivityKind.Client"/> for a store that talks to a server.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public static async IAsyncEnumerable<BlobItem> ListAsync(string store, string prefix, IAsyncEnumerable<BlobItem> items, ActivityKind kind = ActivityKind.Internal, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        using var scope = StorageInstrumentation.StartOperation(store, "list", null, kind);
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

    // The span starts inside the async method, so Activity.Current returns to the caller's span when the call returns.
    private static async Task<T> RunCoreAsync<T>(string store, string operation, BlobKey key, ActivityKind kind, Func<StorageOperationScope, Task<T>> call, Func<Exception, Exception>? translate)
    {
        using (var scope = StorageInstrumentation.StartOperation(store, operation, key.IsDefault ? null : key, kind))
        {
            try
            {
                return await call(scope).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                var thrown = translate?.Invoke(ex) ?? ex;
                scope.Fail(thrown);
                if (ReferenceEquals(thrown, ex))
                {
                    throw;
                }

                throw thrown;
            }
        }
    }
}
