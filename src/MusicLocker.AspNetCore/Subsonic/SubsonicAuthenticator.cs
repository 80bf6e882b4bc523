using System.Globalization;
using System.Text;

namespace MusicLocker.AspNetCore.Subsonic;

/// <summary>
/// Authenticates a request (OpenSubsonic <c>apiKey</c>; legacy <c>u</c>+<c>p</c> and <c>u</c>+<c>t</c>+<c>s</c> only when
/// the app enabled them) and returns the user's locker. Secrets are compared in constant time by the locker; failures are
/// counted per username and per client address, and a key over the limit is refused before its credentials are looked at.
/// </summary>
internal sealed class SubsonicAuthenticator(ILocker locker, SubsonicSettings settings)
{
    private readonly FailedAttemptLimiter _limiter = new(settings.MaxFailedAttempts, settings.FailureWindow, settings.Time);

    public async Task<(IUserLocker User, string Username)> AuthenticateAsync(SubsonicParameters parameters, string client, CancellationToken cancellationToken)
    {
        string? apiKey = parameters.Get("apiKey");
        string? username = parameters.Get("u");
        string? password = parameters.Get("p");
        string? token = parameters.Get("t");
        string? salt = parameters.Get("s");
        string clientKey = "ip:" + client;
        if (apiKey is not null)
        {
            if (username is not null || password is not null || token is not null)
            {
                throw new SubsonicFault(SubsonicErrorCode.ConflictingAuthMechanisms, "Give either apiKey or u with p or t+s, not both.");
            }

            RefuseIfBlocked(clientKey);
            string? userId = await locker.FindApiKeyUserAsync(apiKey, cancellationToken).ConfigureAwait(false);
            if (userId is null)
            {
                Failed(clientKey, null, "apiKey");
                throw new SubsonicFault(SubsonicErrorCode.InvalidApiKey, "Invalid API key.");
            }

            return (locker.ForUser(userId), userId);
        }

        if (string.IsNullOrEmpty(username))
        {
            throw SubsonicFault.Missing(password is null && token is null ? "apiKey" : "u");
        }

        bool useToken = token is not null || salt is not null;
        if (useToken && password is not null)
        {
            throw new SubsonicFault(SubsonicErrorCode.ConflictingAuthMechanisms, "Give either p or t+s, not both.");
        }

        if (useToken)
        {
            if (!settings.EnableTokenAuth)
            {
                throw new SubsonicFault(SubsonicErrorCode.TokenAuthNotSupported, "Token authentication is not supported here; use an API key (apiKey).");
            }

            if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(salt))
            {
                throw SubsonicFault.Missing(string.IsNullOrEmpty(token) ? "t" : "s");
            }
        }
        else if (password is null)
        {
            throw SubsonicFault.Missing("p");
        }
        else if (!settings.EnablePasswordAuth)
        {
            throw new SubsonicFault(SubsonicErrorCode.AuthMechanismNotSupported, "Password authentication is not supported here; use an API key (apiKey).");
        }

        string userKey = "u:" + username;
        RefuseIfBlocked(userKey);
        RefuseIfBlocked(clientKey);
        var user = await ResolveAsync(username, cancellationToken).ConfigureAwait(false);
        bool valid = user is not null && (useToken
            ? await user.Access.VerifyAppPasswordTokenAsync(salt!, token!, cancellationToken).ConfigureAwait(false)
            : Decode(password!) is { } clear && await user.Access.VerifyAppPasswordAsync(clear, cancellationToken).ConfigureAwait(false));
        if (!valid)
        {
            Failed(clientKey, userKey, useToken ? "token" : "password");
            throw new SubsonicFault(SubsonicErrorCode.WrongCredentials, "Wrong username or password.");
        }

        return (user!, username);
    }

    private async Task<IUserLocker?> ResolveAsync(string username, CancellationToken cancellationToken)
    {
        string? userId = await settings.ResolveUser(username, cancellationToken).ConfigureAwait(false);
        if (userId is null)
        {
            return null;
        }

        try
        {
            return locker.ForUser(userId);
        }
        catch (LockerException ex) when (ex.ErrorCode == LockerErrorCode.InvalidArgument)
        {
            return null;
        }
    }

    /// <summary>The legacy <c>p</c>: clear text, or <c>enc:</c> and the hex of its UTF-8 bytes; null when the hex is malformed.</summary>
    internal static string? Decode(string password)
    {
        if (!password.StartsWith("enc:", StringComparison.Ordinal))
        {
            return password;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromHexString(password.AsSpan(4)));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private void RefuseIfBlocked(string key)
    {
        if (_limiter.IsBlocked(key, out var retryAfter))
        {
            throw new SubsonicFault(SubsonicErrorCode.WrongCredentials,
                $"Too many failed attempts; try again in {Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s.") { RetryAfter = retryAfter };
        }
    }

    private void Failed(string clientKey, string? userKey, string mechanism)
    {
        _limiter.RecordFailure(clientKey);
        if (userKey is not null)
        {
            _limiter.RecordFailure(userKey);
        }

        SubsonicLog.AuthenticationFailed(settings.Logger, mechanism, clientKey);
    }
}
