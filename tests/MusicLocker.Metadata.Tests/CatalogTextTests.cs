using MusicLocker.Metadata;
using MusicLocker.Metadata.Sql;

namespace MusicLocker.Metadata.Tests;

public sealed class CatalogTextTests
{
    [Theory]
    [InlineData("Beyoncé", "beyonce")]
    [InlineData("MOTÖRHEAD", "motorhead")]
    [InlineData("Straße", "strasse")]
    [InlineData("Sigur Rós — Ágætis byrjun", "sigur ros agaetis byrjun")]
    [InlineData("  AC/DC  ", "ac dc")]
    [InlineData("Œuvre d'Øystein", "oeuvre doystein")]
    [InlineData("Don’t Stop Me Now", "dont stop me now")]
    [InlineData("Ｆｕｌｌｗｉｄｔｈ", "fullwidth")]
    [InlineData("Łódź", "lodz")]
    [InlineData("坂本龍一", "坂本龍一")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("?!", "")]
    public void Fold_removes_case_accents_and_punctuation(string? text, string expected) => Assert.Equal(expected, CatalogText.Fold(text));

    [Fact]
    public void Words_split_folded_text() => Assert.Equal(["deja", "vu", "2"], CatalogText.Words("Déjà-Vu (2)"));
}
