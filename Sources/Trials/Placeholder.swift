public enum TrialsPlaceholder {}
