using System.Text;

namespace MusicLocker.Storage.Tests;

public sealed class BlobKeyTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("users/42/tracks/0001.mp3")]
    [InlineData("ünï/日本/🎵")]
    [InlineData("a b/c+d%20e")]
    [InlineData(".hidden/..dots/...")]
    public void Valid_keys_parse(string value)
    {
        Assert.Equal(value, BlobKey.Parse(value).Value);
        Assert.True(BlobKey.TryParse(value, out var key, out var rule));
        Assert.Equal(BlobKeyRule.Unknown, rule);
        Assert.Equal(value, key.ToString());
    }

    [Theory]
    [InlineData("", BlobKeyRule.Empty, "empty")]
    [InlineData("/abs", BlobKeyRule.LeadingSlash, "start with '/'")]
    [InlineData("a//b", BlobKeyRule.EmptySegment, "empty segment")]
    [InlineData("a/", BlobKeyRule.TrailingSlash, "end with '/'")]
    [InlineData("a/./b", BlobKeyRule.DotSegment, "'.' or '..'")]
    [InlineData("a/../b", BlobKeyRule.DotSegment, "'.' or '..'")]
    [InlineData("..", BlobKeyRule.DotSegment, "'.' or '..'")]
    [InlineData("a\\b", BlobKeyRule.Backslash, "backslash")]
    [InlineData("a\u0000b", BlobKeyRule.ControlCharacter, "control character")]
    [InlineData("tab\there", BlobKeyRule.ControlCharacter, "control character")]
    [InlineData("del\u007f", BlobKeyRule.ControlCharacter, "control character")]
    public void Invalid_keys_are_refused_naming_the_rule(string value, BlobKeyRule rule, string detail)
    {
        var ex = Assert.Throws<InvalidBlobKeyException>(() => BlobKey.Parse(value));
        Assert.Equal(rule, ex.Rule);
        Assert.Contains(detail, ex.Detail, StringComparison.Ordinal);
        Assert.Contains(detail, ex.Message, StringComparison.Ordinal);
        Assert.Equal(BlobErrorCode.InvalidKey, ex.ErrorCode);
        Assert.Equal(value, ex.Key);
        Assert.False(BlobKey.TryParse(value, out _, out var reported));
        Assert.Equal(rule, reported);
    }

    [Fact]
    public void A_null_key_is_reported_as_empty_by_TryParse()
    {
        Assert.False(BlobKey.TryParse(null, out var key, out var rule));
        Assert.Equal(BlobKeyRule.Empty, rule);
        Assert.True(key.IsDefault);
    }

    [Fact]
    public void Unpaired_surrogates_are_refused()
    {
        // Built in code: test-case serialisation would replace lone surrogates with U+FFFD.
        foreach (var value in new[] { "bad" + '\ud800', "bad" + '\udc00' + "x", "x" + '\ud83c' + '\ud83c' + "y" })
        {
            var ex = Assert.Throws<InvalidBlobKeyException>(() => BlobKey.Parse(value));
            Assert.Equal(BlobKeyRule.UnpairedSurrogate, ex.Rule);
            Assert.Contains("unpaired surrogate", ex.Detail, StringComparison.Ordinal);
        }

        Assert.Equal("🎵", BlobKey.Parse("🎵").Value);
    }

    [Fact]
    public void Keys_over_1024_utf8_bytes_are_refused_even_when_shorter_in_chars()
    {
        var ok = new string('é', 512); // 1024 bytes
        Assert.Equal(1024, Encoding.UTF8.GetByteCount(ok));
        BlobKey.Parse(ok);
        var ex = Assert.Throws<InvalidBlobKeyException>(() => BlobKey.Parse(ok + "a"));
        Assert.Contains("1025", ex.Message, StringComparison.Ordinal);
        Assert.Equal(BlobKeyRule.TooLong, ex.Rule);
    }

    [Fact]
    public void Keys_compare_by_utf8_bytes()
    {
        string[] values = ["z", "é", "\uFFFD", "😀", "a/b", "a-", "a0", "A"];
        var sorted = values.Select(BlobKey.Parse).Order().Select(k => k.Value).ToArray();
        var expected = values.OrderBy(v => Convert.ToHexString(Encoding.UTF8.GetBytes(v)), StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, sorted);
    }

    [Fact]
    public async Task Default_key_has_no_value_and_stores_refuse_it()
    {
        BlobKey key = default;
        Assert.True(key.IsDefault);
        Assert.Throws<InvalidOperationException>(() => key.Value);
        var store = new InMemory.InMemoryBlobStore();
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetPropertiesAsync(key, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Name_and_append()
    {
        var key = BlobKey.Parse("a/b").Append("c.mp3");
        Assert.Equal("a/b/c.mp3", key.Value);
        Assert.Equal("c.mp3", key.Name);
        Assert.Throws<InvalidBlobKeyException>(() => key.Append("../x"));
    }
}
