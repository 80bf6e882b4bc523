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
        Assert.Null(rule);
        Assert.Equal(value, key.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/abs", "start with '/'")]
    [InlineData("a//b", "empty segment")]
    [InlineData("a/", "end with '/'")]
    [InlineData("a/./b", "'.' or '..'")]
    [InlineData("a/../b", "'.' or '..'")]
    [InlineData("..", "'.' or '..'")]
    [InlineData("a\\b", "backslash")]
    [InlineData("a\u0000b", "control character")]
    [InlineData("tab\there", "control character")]
    [InlineData("del\u007f", "control character")]
    public void Invalid_keys_are_refused_naming_the_rule(string value, string rule)
    {
        var ex = Assert.Throws<InvalidBlobKeyException>(() => BlobKey.Parse(value));
        Assert.Contains(rule, ex.Rule, StringComparison.Ordinal);
        Assert.Equal(BlobErrorCode.InvalidKey, ex.ErrorCode);
        Assert.Equal(value, ex.Key);
        Assert.False(BlobKey.TryParse(value, out _, out var reported));
        Assert.Contains(rule, reported, StringComparison.Ordinal);
    }

    [Fact]
    public void Unpaired_surrogates_are_refused()
    {
        // Built in code: test-case serialisation would replace lone surrogates with U+FFFD.
        foreach (var value in new[] { "bad" + '\ud800', "bad" + '\udc00' + "x", "x" + '\ud83c' + '\ud83c' + "y" })
        {
            var ex = Assert.Throws<InvalidBlobKeyException>(() => BlobKey.Parse(value));
            Assert.Contains("unpaired surrogate", ex.Rule, StringComparison.Ordinal);
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
