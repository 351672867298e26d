public enum RecommendationsPlaceholder {}
