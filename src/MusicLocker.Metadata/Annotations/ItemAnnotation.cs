namespace MusicLocker.Metadata;

/// <summary>A user's star and rating of one item.</summary>
/// <param name="Target">The item (names as they were spelled when it was last annotated).</param>
/// <param name="StarredAt">When it was starred; <see langword="null"/> when it is not.</param>
/// <param name="Rating">1 to 5; 0 when unrated.</param>
public sealed record ItemAnnotation(AnnotationTarget Target, DateTimeOffset? StarredAt, int Rating);
