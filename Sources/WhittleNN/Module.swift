public enum WhittleNNModule {}
