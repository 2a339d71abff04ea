using Fergan.Torch.Training;

namespace Fergan.Torch.Classifier.Training;

/// <summary>
/// The files of one classifier run:
/// <code>
/// options.json                          resolved options
/// log.jsonl                             one line per epoch (train and validation loss/accuracy, macro-F1, lr)
/// checkpoints/step-000012/              model, optimiser and state.json after epoch 12
/// curves.png                            loss and accuracy, train and validation, per epoch
/// classifier.json, classifier.bin       the best epoch so far (selected on validation accuracy)
/// </code>
/// </summary>
public sealed class ClassifierRunDirectory(string root) : RunDirectory(root);
