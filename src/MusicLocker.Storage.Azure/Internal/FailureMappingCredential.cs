using Azure.Core;

namespace MusicLocker.Storage.Azure.Internal;

/// <summary>
/// The app's <see cref="TokenCredential"/>, with a failure to give a token reported as <see cref="BlobErrorCode.AccessDenied"/>
/// (the SDK would pass on whatever the credential threw, e.g. Azure.Identity's <c>CredentialUnavailableException</c>).
/// </summary>
internal sealed class FailureMappingCredential(TokenCredential inner) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            return inner.GetToken(requestContext, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Denied(ex);
        }
    }

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.GetTokenAsync(requestContext, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Denied(ex);
        }
    }

    private BlobStoreException Denied(Exception ex) =>
        new(BlobErrorCode.AccessDenied, $"The TokenCredential ({inner.GetType().Name}) gave no token for Azure Storage: {ex.Message}", null, ex);
}
